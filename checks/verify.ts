// Post-cutover verification: seed 001's acceptance criteria judged over an after-phase snapshot. Pure.
import type { ResolvedStep } from '../src/engine/types.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import type { ExecResult } from '../src/ports.ts';
import type { Panel, Verdict } from './types.ts';
import type { SnapshotResult } from './snapshot.ts';
import { combine } from './snapshot.ts';
import { targetName } from './context.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';

export interface Criterion extends Verdict {
  id: 'target-running' | 'smoke' | 'tokens' | 'proxy' | 'legacy-kept';
  title: string;
}

/** What the target's daemon looked like: `service NAME status`, and its init script vs the runbook's. */
export interface DaemonObservation {
  service: string;
  running: boolean;
  detail: string;
  /** null when the runbook writes no init script for it, or when it could not be read (initScriptUnread says why). */
  initScriptMatches: boolean | null;
  initScriptUnread?: string;
}

export interface DaemonSpec {
  container: string;
  service: string;
  initPath: string;
  initContent: string | null;
}

/** The target's service (started by a service.start step) and the init script a file.write step gives it. */
export function daemonSpec(runbook: Runbook, steps: ResolvedStep[]): DaemonSpec | null {
  const target = targetName(runbook);
  const start = steps.find((s) => s.action === 'service.start' && s.params.container === target);
  if (!target || !start) return null;
  const service = String(start.params.service);
  const initPath = `/etc/init.d/${service}`;
  const write = steps.find((s) => s.action === 'file.write' && s.params.container === target && s.params.path === initPath);
  return { container: target, service, initPath, initContent: write ? String(write.params.content) : null };
}

/**
 * What `service NAME status` and the read of the init script (null: none was read) say of the daemon. A read
 * that failed (exec error, timeout) cannot say the script differs: it says why it could not check.
 */
export function daemonObservation(spec: DaemonSpec, status: ExecResult, script: ExecResult | null): DaemonObservation {
  const detail = (status.stdout + status.stderr).trim().split('\n').pop() ?? '';
  const unread = script && spec.initContent !== null && script.exitCode !== 0;
  return {
    service: spec.service,
    running: status.exitCode === 0,
    detail: detail || `exit ${status.exitCode}`,
    initScriptMatches: script === null || spec.initContent === null || script.exitCode !== 0 ? null : script.stdout.trim() === spec.initContent.trim(),
    ...(unread ? { initScriptUnread: (script.stderr || script.stdout).trim().split('\n').pop() || `exit ${script.exitCode}` } : {}),
  };
}

function failing(p: Panel<Verdict>, max = 3): string {
  const bad = p.items.filter((i) => i.ok !== true).map((i) => i.why ?? i.actual);
  return bad.slice(0, max).join('; ') + (bad.length > max ? `; … ${bad.length - max} more` : '');
}

function fromPanel(p: Panel<Verdict>, good: string): { ok: boolean | null; actual: string } {
  if (p.error) return { ok: null, actual: `cannot check: ${p.error}` };
  if (p.items.length === 0) return { ok: null, actual: 'nothing was checked' };
  return p.ok === true ? { ok: true, actual: good } : { ok: p.ok, actual: failing(p) };
}

/**
 * `decommissioned`: legacy containers a recorded decommission deleted (journal). Absent is then what is
 * expected of them; anything else about them is judged as before.
 */
export function evaluateVerify(runbook: Runbook, s: SnapshotResult, daemon: DaemonObservation | null, hasBaseline: boolean, decommissioned: ReadonlyMap<string, { runId: number }> = new Map()): Criterion[] {
  const targetDecl = targetName(runbook);
  const targetItem = s.containers.items.find((c) => c.name === targetDecl);
  // Named as `incus` is typed (REMOTE:NAME with runtime.remote); looked up by the bare name.
  const target = targetDecl ? instanceRef(runbook, targetDecl) : '(no target declared)';

  const targetCriterion = ((): Criterion => {
    const base = { id: 'target-running' as const, title: `${target} running the multi-tenant daemon`, expected: `${target} Running, service up, init script as the runbook writes it` };
    if (s.containers.error) return { ...base, ok: null, actual: `cannot check: ${s.containers.error}` };
    if (!targetItem || targetItem.status !== 'Running') return { ...base, ok: false, actual: `${target} is ${targetItem?.status ?? 'absent'}`, why: `${target} is ${targetItem?.status ?? 'absent'}` };
    if (!daemon) return { ...base, ok: true, actual: `${target} Running (the runbook starts no service in it)` };
    const problems: string[] = [];
    if (!daemon.running) problems.push(`service ${daemon.service} not running: ${daemon.detail}`);
    if (daemon.initScriptMatches === false) problems.push(`/etc/init.d/${daemon.service} differs from the runbook's (not the multi-tenant invocation?)`);
    if (!problems.length && daemon.initScriptUnread) return { ...base, ok: null, actual: `cannot check: /etc/init.d/${daemon.service} could not be read: ${daemon.initScriptUnread}` };
    return problems.length ? { ...base, ok: false, actual: problems.join('; '), why: `${target}: ${problems.join('; ')}` } : { ...base, ok: true, actual: `${target} Running, service ${daemon.service} started, init script matches` };
  })();

  const smoke = fromPanel(s.smoke, `all ${s.smoke.items.length} probes green`);
  const vantages = new Set(s.smoke.items.map((i) => i.vantage));
  const bothVantages = vantages.has('local') && vantages.has('public');
  const tokens = hasBaseline ? fromPanel(s.tokens, 'every baseline token present, active devices seen again') : { ok: false, actual: 'no baseline recorded (cutover status RUNBOOK --baseline, before the cutover)' };
  const proxy = fromPanel(s.upstreams, `every site points at ${target}, file = live`);
  const legacy = s.containers.items
    .filter((c) => c.role === 'legacy')
    .map((c) => {
      const gone = decommissioned.get(c.name);
      return gone && c.status === null ? { ...c, ok: true, expected: 'deleted by the decommission', actual: `deleted by decommission run #${gone.runId}`, why: undefined } : c;
    });
  const legacyPanel = { ...s.containers, items: legacy, ok: combine(legacy.map((c) => c.ok)) };
  const allGone = legacy.length > 0 && legacy.every((c) => decommissioned.has(c.name) && c.status === null);

  const criteria: Criterion[] = [
    targetCriterion,
    {
      id: 'smoke',
      title: 'every identity passes smoke locally and publicly',
      expected: 'every identity × check green at both vantages',
      ...(bothVantages || smoke.ok !== true ? smoke : { ok: false, actual: `only the ${[...vantages].join(', ')} vantage was probed` }),
    },
    { id: 'tokens', title: 'device tokens survived', expected: 'every baseline token present, active devices seen again', ...tokens },
    { id: 'proxy', title: `Caddy points at ${target}, no drift`, expected: `live dials = file dials, pointing at ${target}`, ...proxy },
    allGone
      ? { id: 'legacy-kept', title: 'legacy containers deleted by the decommission', expected: 'absent after the recorded decommission', ...fromPanel(legacyPanel, `${legacy.map((c) => instanceRef(runbook, c.name)).join(', ')} deleted (decommission run #${decommissioned.get(legacy[0]!.name)!.runId})`) }
      : { id: 'legacy-kept', title: 'legacy containers stopped but not deleted', expected: 'Stopped, autostart off, delete protection on', ...fromPanel(legacyPanel, `${legacy.map((c) => instanceRef(runbook, c.name)).join(', ')} stopped and kept`) },
  ];
  return criteria.map((c) => (c.ok === false && !c.why ? { ...c, why: `${c.title}: ${c.actual}` } : c));
}
