// The world a run works on, journaled when its first step runs and checked before it is resumed: the identity
// of each instance (volatile.uuid, else its creation time), the legacy key fingerprints against the run's
// baseline, and the sums of the plain files it copied against their sources. A run resumed on another world
// (a rebuilt lab, a recreated container, regenerated keys) would act on things it never saw: refused, with
// `cutover journal --abandon` as the way to end it.
import type { Journal } from '../journal/journal.ts';
import type { Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import { fingerprint } from '../../checks/baseline.ts';

export interface InstanceIdentity {
  uuid: string | null;
  createdAt: string | null;
}

const WORLD = 'world';

function describe(id: InstanceIdentity): string {
  return [id.uuid ? `uuid ${id.uuid}` : '', id.createdAt ? `created ${id.createdAt}` : ''].filter(Boolean).join(', ') || 'no identity reported';
}

function sameInstance(a: InstanceIdentity, b: InstanceIdentity): boolean {
  if (a.uuid && b.uuid) return a.uuid === b.uuid;
  return a.createdAt === b.createdAt;
}

export async function instanceIdentities(runtime: Runtime, names: string[]): Promise<Record<string, InstanceIdentity | null>> {
  const out: Record<string, InstanceIdentity | null> = {};
  for (const name of names) {
    const i = await runtime.get(name);
    out[name] = i ? { uuid: i.config['volatile.uuid'] ?? null, createdAt: i.createdAt } : null;
  }
  return out;
}

/** The instances the runbook names, as they are when the run's first step runs (journaled once per run). */
export async function recordWorld(journal: Journal, runId: number, runtime: Runtime, runbook: Runbook): Promise<void> {
  if (journal.events(runId).some((e) => e.kind === WORLD)) return;
  try {
    const instances = await instanceIdentities(runtime, runbook.containers.map((c) => c.name));
    journal.event(runId, WORLD, { detail: { instances } });
  } catch (err) {
    // The runtime cannot say (yet): the step itself will meet that; a resume then has no identities to compare.
    journal.event(runId, WORLD, { detail: { instances: {}, error: (err as Error).message } });
  }
}

/**
 * What differs between the world the run journaled and the world now, one line per difference naming the
 * thing, what the journal says and what is there now. Empty: the run may be resumed.
 */
export async function worldMismatches(journal: Journal, runId: number, runtime: Runtime, runbook: Runbook): Promise<string[]> {
  const problems: string[] = [];
  const events = journal.events(runId);
  const steps = journal.stepStates(runId);
  const deleted = new Set([...steps.values()].filter((s) => s.action === 'container.delete' && s.state === 'succeeded').map((s) => String((s.changed as { container?: string } | null)?.container ?? '')));
  const world = events.find((e) => e.kind === WORLD)?.detail as { instances?: Record<string, InstanceIdentity | null> } | undefined;
  const knew = world?.instances ?? {};
  const now = await instanceIdentities(runtime, Object.keys(knew));
  // Files are read with exec, which needs a running instance (a stopped legacy container is the run's own doing).
  const running = new Map<string, boolean>();
  const isRunning = async (name: string) => {
    if (!running.has(name)) running.set(name, (await runtime.get(name).catch(() => null))?.status === 'Running');
    return running.get(name)!;
  };
  for (const [name, then] of Object.entries(knew)) {
    if (!then) continue; // created by the run (or absent then): nothing to compare
    const cur = now[name];
    if (!cur) {
      if (!deleted.has(name)) problems.push(`instance ${name} no longer exists (the run knew ${describe(then)})`);
    } else if (!sameInstance(then, cur)) {
      problems.push(`instance ${name} is another instance: ${describe(cur)}; the run knew ${describe(then)}`);
    }
  }
  // Key fingerprints: the legacy keys.json of each identity against the run's baseline.
  for (const b of journal.baselines(runId).filter((x) => x.kind === 'key' && x.fingerprint)) {
    const id = runbook.identities.find((i) => i.slug === b.identity);
    if (!id || (knew[id.legacy_container] && !now[id.legacy_container])) continue; // named above
    if (!(await isRunning(id.legacy_container))) continue;
    const r = await runtime.exec(id.legacy_container, ['cat', id.legacy_keys]).catch(() => null);
    if (!r || r.exitCode !== 0) {
      problems.push(`key of ${b.identity}: ${id.legacy_container}:${id.legacy_keys} cannot be read (the run's baseline has ${b.fingerprint})`);
      continue;
    }
    let pk: unknown;
    try {
      pk = (JSON.parse(r.stdout) as { publicKey?: unknown }).publicKey;
    } catch {
      pk = undefined;
    }
    if (typeof pk !== 'string') continue; // not a keys.json this check can read: nothing to compare
    const fp = fingerprint(pk);
    if (fp !== b.fingerprint) problems.push(`key of ${b.identity}: ${id.legacy_container}:${id.legacy_keys} has fingerprint ${fp}; the run's baseline recorded ${b.fingerprint}`);
  }
  // File sums: each plain file the run copied (not SQLite: a database has its own divergence check at rollback) against its source now.
  for (const s of steps.values()) {
    if (s.action !== 'copy' || s.state !== 'succeeded') continue;
    const c = s.changed as { fromContainer?: string; from?: string; sha256?: string; sqlite?: unknown } | null;
    if (!c?.fromContainer || !c.from || !c.sha256 || c.sqlite) continue;
    if (knew[c.fromContainer] && !now[c.fromContainer]) continue; // named above
    if (!(await isRunning(c.fromContainer))) continue;
    const r = await runtime.exec(c.fromContainer, ['sha256sum', c.from]).catch(() => null);
    const sum = r && r.exitCode === 0 ? (/^([0-9a-f]{64})\b/.exec(r.stdout.trim())?.[1] ?? null) : null;
    if (sum !== c.sha256) problems.push(`${s.key}: ${c.fromContainer}:${c.from} ${sum ? `has sha256 ${sum.slice(0, 12)}…` : 'cannot be read'}; the run copied sha256 ${c.sha256.slice(0, 12)}…`);
  }
  return problems;
}

/** Resuming run N on a world that is not the one it journaled: refused, naming what differs and the way out. */
export class WorldChangedError extends Error {
  constructor(
    readonly runId: number,
    readonly problems: string[],
    journalFile: string,
    runbookPath: string,
  ) {
    super(
      `${journalFile}: run #${runId} cannot be resumed: the world is not the one it journaled:\n` +
        problems.map((p) => `  - ${p}\n`).join('') +
        `Look at it with cutover status ${runbookPath}. If this world is the one you mean to work on, end run #${runId} (it counts as ended, the lease is released): ` +
        `cutover journal ${runbookPath} --abandon ${runId} --reason "…"`,
    );
    this.name = 'WorldChangedError';
  }
}
