// Where cutover keeps its state on disk. Pure: callers pass the environment in.
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** `${XDG_STATE_HOME:-$HOME/.local/state}/cutover` — the root of everything cutover writes. */
export function stateRoot(env: Env): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'cutover');
  const home = env.HOME;
  if (!home) throw new Error('cannot find a state directory: neither XDG_STATE_HOME nor HOME is set');
  return join(home, '.local', 'state', 'cutover');
}

/** The rehearsal lab's directory when CUTOVER_LAB_DIR is unset: `<state root>/lab`. */
export function defaultLabDir(env: Env): string {
  return join(stateRoot(env), 'lab');
}

/** The lab directory in effect: CUTOVER_LAB_DIR if set, otherwise the default. */
export function labDir(env: Env): string {
  const set = env.CUTOVER_LAB_DIR;
  return set && set.length > 0 ? set : defaultLabDir(env);
}

/**
 * Where a client timeline is read from (src/engine/client-timeline.ts: one JSON line per client request), so a
 * run can report the outage its clients saw: CUTOVER_CLIENT_TIMELINE, else the rehearsal lab's devices in
 * effect (CUTOVER_LAB_DIR). Production has none unless an operator points it at one.
 */
export function clientTimelineFile(env: Env): string | null {
  if (env.CUTOVER_CLIENT_TIMELINE) return env.CUTOVER_CLIENT_TIMELINE;
  const lab = env.CUTOVER_LAB_DIR;
  return lab ? labTimelineFile(lab) : null;
}

/** The rehearsal lab's device timeline inside its directory. */
export function labTimelineFile(dir: string): string {
  return join(dir, 'devices', 'timeline.jsonl');
}

/** Per-runbook state (journal, Caddyfile backups, baseline): `<state root>/<runbook-name>`. */
export function defaultStateDir(env: Env, runbookName: string): string {
  if (!/^[a-z0-9-]+$/.test(runbookName)) throw new Error(`runbook name "${runbookName}" must match [a-z0-9-]+`);
  return join(stateRoot(env), runbookName);
}

/**
 * The state dir a runbook journals to: --state, else its state_dir, else the default for its name — except
 * that a decommission (a gate.stability step with `since`) defaults to the journal of the cutover it follows,
 * so the gate, the cutover's verify (legacy containers deleted on purpose) and its report share one history.
 */
export function runbookStateDir(
  rb: { runbook: { name: string; state_dir?: string | undefined }; steps?: readonly Record<string, unknown>[] | undefined },
  env: Env,
  override?: string,
): string {
  if (override) return override;
  if (rb.runbook.state_dir) return rb.runbook.state_dir;
  const since = rb.steps?.find((s) => s['action'] === 'gate.stability' && typeof s['since'] === 'string')?.['since'] as string | undefined;
  return defaultStateDir(env, since ?? rb.runbook.name);
}
