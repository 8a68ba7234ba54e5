// Containers: every declared container as the runtime lists it, judged against the phase. Pure evaluation.
import type { Instance } from '../src/ports.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import type { ContainerItem, UpstreamItem } from './types.ts';
import { targetName, type Phase } from './context.ts';

const AUTOSTART = 'boot.autostart';
const PROTECT_DELETE = 'security.protection.delete';

/** Phase from the live proxy when known (after = the live dials point at the target), else from the containers. */
export function derivePhase(runbook: Runbook, instances: Instance[], upstreams: UpstreamItem[] | null): Phase {
  const target = targetName(runbook);
  if (upstreams && upstreams.length > 0 && target) return upstreams.some((u) => u.pointsAt === target) ? 'after' : 'before';
  const byName = new Map(instances.map((i) => [i.name, i]));
  const targetRunning = target !== null && byName.get(target)?.status === 'Running';
  const legacyRunning = runbook.containers.some((c) => c.role === 'legacy' && byName.get(c.name)?.status === 'Running');
  return targetRunning && !legacyRunning ? 'after' : 'before';
}

function flag(config: Record<string, string>, key: string): boolean | null {
  const v = config[key];
  return v === undefined ? null : v === 'true' || v === '1';
}

export function evaluateContainers(runbook: Runbook, instances: Instance[], phase: Phase): ContainerItem[] {
  const byName = new Map(instances.map((i) => [i.name, i]));
  return runbook.containers.map((decl) => {
    const inst = byName.get(decl.name);
    const autostart = inst ? flag(inst.config, AUTOSTART) : null;
    const protectedDelete = inst ? flag(inst.config, PROTECT_DELETE) : null;
    const base = {
      name: decl.name,
      role: decl.role,
      status: inst?.status ?? null,
      ipv4: inst?.ipv4 ?? null,
      type: inst?.type ?? null,
      autostart,
      protectedDelete,
      lastUsedAt: inst?.lastUsedAt ?? null,
    };
    const verdict = judge(decl.role, inst, phase, autostart, protectedDelete);
    return { ...base, ...verdict, ...(verdict.ok === false ? { why: `${decl.name}: ${verdict.actual}` } : {}) };
  });
}

function judge(role: ContainerItem['role'], inst: Instance | undefined, phase: Phase, autostart: boolean | null, protect: boolean | null): { ok: boolean; expected: string; actual: string } {
  const status = inst?.status ?? 'absent';
  if (role === 'other') return inst ? { ok: true, expected: 'exists', actual: status } : { ok: false, expected: 'exists', actual: 'does not exist' };
  if (role === 'target') {
    if (phase === 'before') return { ok: true, expected: 'any (not serving yet)', actual: inst ? status : 'not created yet' };
    return { ok: status === 'Running', expected: 'Running', actual: inst ? status : 'does not exist' };
  }
  // legacy
  if (!inst) return { ok: false, expected: phase === 'before' ? 'Running' : 'Stopped, kept (not deleted)', actual: 'does not exist (deleted?)' };
  if (phase === 'before') return { ok: status === 'Running', expected: 'Running', actual: status };
  const expected = 'Stopped, boot.autostart=false, delete protection on';
  if (status === 'Running') {
    const why = autostart === false ? 'running again after the cutover' : 'running again after the cutover: autostart brought it back';
    return { ok: false, expected, actual: why };
  }
  const problems: string[] = [];
  if (status !== 'Stopped') problems.push(status);
  if (autostart !== false) problems.push(`boot.autostart is ${autostart === null ? 'unset (restarts with the host)' : 'true'}`);
  if (protect !== true) problems.push('delete protection off');
  return problems.length === 0 ? { ok: true, expected, actual: 'Stopped, autostart off, protected' } : { ok: false, expected, actual: problems.join(', ') };
}
