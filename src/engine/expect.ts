// What should hold NOW, from what the journal says was done: one pure function for the cockpit, `status`,
// `verify` and the report. A panel judges a container against its expectation here, never against a guess
// from the proxy alone (the proxy is repointed at step 23, the legacy containers are stopped at step 33:
// between the two they are expected to run).
import type { StepState } from './types.ts';

/** The journal, reduced to what expectations need (read by the I/O layer; see checks/journal-facts.ts). */
export interface JournalFacts {
  /** The latest cutover run (apply or run, not a decommission), with its steps as journaled. */
  cutover: {
    runId: number;
    startedAt: number;
    /** null while it is open (mid-run, or interrupted). */
    outcome: 'succeeded' | 'failed' | 'aborted' | 'rolled-back' | null;
    steps: { key: string; action: string | null; state: StepState; container: string | null }[];
    /** Steps in the run's plan (for "step k of N"). */
    planned: number;
    /** A rollback of this run started and has not ended (it is running now, or its driver died in it). */
    rollingBack?: boolean;
  } | null;
  /** Containers a decommission deleted (succeeded container.delete steps). */
  deleted: ReadonlyMap<string, { runId: number; archive: string | null; at: number }>;
}

/**
 * The journal's facts when they are about the instances that exist now, else null: a legacy container created
 * after the run started (or after a decommission deleted it) is another instance of the same name — a rebuilt
 * lab, a recreated container — and what the journal says was done to the old one says nothing about it.
 */
export function factsForWorld(f: JournalFacts | null, instances: readonly { name: string; createdAt: string | null }[], legacy: readonly string[]): JournalFacts | null {
  if (!f) return null;
  const created = (name: string) => {
    const t = instances.find((i) => i.name === name)?.createdAt;
    const ms = t ? Date.parse(t) : NaN;
    return Number.isNaN(ms) ? null : ms;
  };
  for (const name of legacy) {
    const c = created(name);
    if (c === null) continue;
    const gone = f.deleted.get(name);
    if (gone && c > gone.at) return null;
    if (f.cutover && c > f.cutover.startedAt) return null;
  }
  return f;
}

export type World =
  | { kind: 'before' }
  | { kind: 'mid-run'; runId: number; done: number; of: number }
  | { kind: 'after'; runId: number }
  | { kind: 'rolling-back'; runId: number; undone: number }
  | { kind: 'rolled-back'; runId: number }
  | { kind: 'decommissioned'; runId: number; cutoverRunId: number | null };

export interface ContainerExpectation {
  name: string;
  /** running: serves; stopped: stopped and kept (autostart off, protected); deleted: absent on purpose; any: not judged */
  expect: 'running' | 'stopped' | 'deleted' | 'any';
  /** This run stopped it (a succeeded, not undone container.stop or service.stop of it): running again is autostart's doing. */
  stoppedByRun: boolean;
  /** Where the expectation comes from, for problem lines ("run #3: stop-legacy-containers[arne-msg] done"). */
  source: string;
  deletedBy: { runId: number; archive: string | null; at: number } | null;
}

const DONE: ReadonlySet<StepState> = new Set(['succeeded', 'skipped']);

/** The state of the world by the journal: before any run, mid-run at step k, after, rolled back, decommissioned. */
export function worldOf(f: JournalFacts): World {
  const c = f.cutover;
  if (f.deleted.size > 0) {
    const runId = Math.max(...[...f.deleted.values()].map((d) => d.runId));
    return { kind: 'decommissioned', runId, cutoverRunId: c?.runId ?? null };
  }
  if (!c) return { kind: 'before' };
  if (c.rollingBack) return { kind: 'rolling-back', runId: c.runId, undone: c.steps.filter((s) => s.state === 'rolled-back').length };
  if (c.outcome === 'rolled-back' || (c.steps.some((s) => s.state === 'rolled-back') && !c.steps.some((s) => s.state === 'running'))) return { kind: 'rolled-back', runId: c.runId };
  const done = c.steps.filter((s) => DONE.has(s.state)).length;
  if (c.outcome === 'succeeded') return { kind: 'after', runId: c.runId };
  if (done === 0 && !c.steps.some((s) => s.state === 'running' || s.state === 'failed')) return { kind: 'before' };
  return { kind: 'mid-run', runId: c.runId, done, of: c.planned };
}

/** Words for headers and exit lines: "rolled back (run #3)", "mid-run: 22/35 steps (run #3)" … */
export function describeWorld(w: World): string {
  switch (w.kind) {
    case 'before':
      return 'before the cutover';
    case 'mid-run':
      return `mid-run: ${w.done}/${w.of} steps (run #${w.runId})`;
    case 'after':
      return `cut over (run #${w.runId})`;
    case 'rolling-back':
      return `rolling back (run #${w.runId}): ${w.undone} step(s) undone so far`;
    case 'rolled-back':
      return `rolled back (run #${w.runId}): the legacy containers serve`;
    case 'decommissioned':
      return `decommissioned (run #${w.runId})`;
  }
}

const STOPS = new Set(['container.stop']);

/**
 * What each declared container should be now. `phase` is the proxy's word (after = the live dials point at the
 * target) and is used only where the journal has nothing to say (a cutover done by hand, or no journal).
 */
export function containerExpectations(containers: readonly { name: string; role: 'legacy' | 'target' | 'other' }[], f: JournalFacts | null, phase: 'before' | 'after'): ContainerExpectation[] {
  const world = f ? worldOf(f) : null;
  return containers.map((decl): ContainerExpectation => {
    const base = { name: decl.name, stoppedByRun: false, deletedBy: null };
    const gone = f?.deleted.get(decl.name);
    if (gone) return { ...base, expect: 'deleted', source: `deleted by decommission run #${gone.runId}${gone.archive ? ` (archive ${gone.archive})` : ''}`, deletedBy: gone };
    if (decl.role === 'other') return { ...base, expect: 'running', source: 'declared in the runbook' };
    if (!world || !f?.cutover || world.kind === 'before' || world.kind === 'decommissioned') {
      // No journal of this cutover: the proxy decides (the cutover may have been done by hand).
      if (decl.role === 'target') return { ...base, expect: phase === 'after' ? 'running' : 'any', source: phase === 'after' ? 'the live proxy points at it' : 'not serving yet' };
      return { ...base, expect: phase === 'after' ? 'stopped' : 'running', stoppedByRun: false, source: phase === 'after' ? 'the live proxy points at the target' : 'serves until the cutover' };
    }
    const run = f.cutover;
    // While the rollback runs, containers go back one by one: neither the cutover's nor the legacy state holds yet.
    if (world.kind === 'rolling-back') return { ...base, expect: 'any', source: `run #${run.runId} is being rolled back` };
    if (world.kind === 'rolled-back') {
      if (decl.role === 'target') return { ...base, expect: 'any', source: `run #${run.runId} was rolled back; the target is left in place for diagnosis` };
      return { ...base, expect: 'running', source: `run #${run.runId} was rolled back: the legacy path serves again` };
    }
    if (decl.role === 'target') {
      const started = run.steps.some((s) => s.container === decl.name && s.action === 'service.start' && DONE.has(s.state));
      return started || world.kind === 'after' ? { ...base, expect: 'running', source: `run #${run.runId}: started by the cutover` } : { ...base, expect: 'any', source: `run #${run.runId}: not started yet` };
    }
    // legacy: stopped only once this run's step stopping it is done (and not undone).
    const stop = run.steps.find((s) => s.container === decl.name && STOPS.has(s.action ?? ''));
    if (stop && DONE.has(stop.state) && stop.state === 'succeeded') return { ...base, expect: 'stopped', stoppedByRun: true, source: `run #${run.runId}: ${stop.key} done` };
    if (stop && stop.state === 'skipped') return { ...base, expect: 'any', source: `run #${run.runId}: ${stop.key} skipped` };
    if (world.kind === 'after' && !stop) return { ...base, expect: 'stopped', source: `run #${run.runId} done` };
    return { ...base, expect: 'running', source: `run #${run.runId}: ${stop ? `${stop.key} not run yet` : 'not stopped by this run'}` };
  });
}
