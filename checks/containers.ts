// Containers: every declared container as the runtime lists it, judged against the phase. Pure evaluation.
import type { Instance } from '../src/ports.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import type { ContainerItem, UpstreamItem } from './types.ts';
import { targetName, type Phase } from './context.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';
import { containerExpectations, factsForWorld, type ContainerExpectation, type JournalFacts } from '../src/engine/expect.ts';

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

/**
 * Each declared container against what should hold now (src/engine/expect.ts): from the journal when there is
 * one (`facts`), else from the phase. Autostart is blamed only for a container this run stopped that runs again.
 */
export function evaluateContainers(runbook: Runbook, instances: Instance[], phase: Phase, facts: JournalFacts | null = null): ContainerItem[] {
  const byName = new Map(instances.map((i) => [i.name, i]));
  const legacy = runbook.containers.filter((c) => c.role === 'legacy').map((c) => c.name);
  const expectations = containerExpectations(runbook.containers, factsForWorld(facts, instances, legacy), phase);
  return runbook.containers.map((decl, k) => {
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
      ...(runbook.runtime.remote ? { ref: instanceRef(runbook, decl.name) } : {}),
    };
    const e = expectations[k]!;
    const verdict = judge(e, inst, autostart, protectedDelete);
    return { ...base, ...verdict, ...(verdict.ok === false ? { why: `${instanceRef(runbook, decl.name)}: expected ${verdict.expected} (${e.source}), got ${verdict.actual}` } : {}) };
  });
}

function judge(e: ContainerExpectation, inst: Instance | undefined, autostart: boolean | null, protect: boolean | null): { ok: boolean; expected: string; actual: string } {
  const status = inst?.status ?? null;
  switch (e.expect) {
    case 'deleted':
      return inst ? { ok: false, expected: 'absent', actual: `${status}: still exists` } : { ok: true, expected: 'absent', actual: e.source };
    case 'any':
      return { ok: true, expected: `any (${e.source})`, actual: inst ? status! : 'not created yet' };
    case 'running':
      if (!inst) return { ok: false, expected: 'Running', actual: 'does not exist' };
      return { ok: status === 'Running', expected: 'Running', actual: status! };
    case 'stopped': {
      const expected = 'Stopped, boot.autostart=false, delete protection on';
      if (!inst) return { ok: false, expected: 'Stopped, kept (not deleted)', actual: 'does not exist (deleted?)' };
      if (status === 'Running') {
        // Only a container this run stopped can have been brought back; otherwise it was simply never stopped.
        const why = !e.stoppedByRun ? 'Running (not stopped by a journaled run)' : autostart === false ? 'running again after this run stopped it' : 'running again after this run stopped it: autostart brought it back';
        return { ok: false, expected, actual: why };
      }
      const problems: string[] = [];
      if (status !== 'Stopped') problems.push(status!);
      if (autostart !== false) problems.push(`boot.autostart is ${autostart === null ? 'unset (not latched off)' : 'true'}`);
      if (protect !== true) problems.push('delete protection off');
      return problems.length === 0 ? { ok: true, expected, actual: 'Stopped, autostart off, protected' } : { ok: false, expected, actual: problems.join(', ') };
    }
  }
}
