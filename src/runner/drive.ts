// The non-interactive drive loop (apply): run the range in order (a parallel step's expansions together),
// retry a failed step once, stop at the first failure, and decide what follows: a failure inside the outage window rolls back at once (unless told not
// to), a journal that cannot be written rolls back from memory inside the window and stops outside it, a
// completed plan is finished. Commands only print what this returns.
import { nextGroup } from '../engine/next.ts';
import { stateOf } from '../engine/transitions.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { RollbackOutcome, Run, RunHooks, StepOutcome } from './types.ts';

export interface DriveOptions {
  /** The slice to run (planRange of --from/--through). */
  range: readonly ResolvedStep[];
  /** --from as given: earlier pending steps are journaled as skipped with it. */
  from?: string | undefined;
  /** Leave a failure inside the outage window as it is (cutover rollback undoes it later). */
  noRollback: boolean;
  hooks: RunHooks;
  /** Told right before an automatic rollback starts (so the operator reads why before the undo lines). */
  beforeRollback?(why: 'step-failed' | 'journal-failed', failed: StepOutcome | null): void;
}

/** How the drive ended. `down`: the outage window was open when it stopped. */
export type DriveEnd =
  | { kind: 'done' }
  | { kind: 'through'; lastKey: string }
  | { kind: 'blocked'; reason: string }
  | { kind: 'not-run'; outcome: StepOutcome }
  | { kind: 'failed'; failed: StepOutcome; down: boolean; rollback: RollbackOutcome | null }
  /** failed: the step that failed as the journal broke (null when it succeeded or never started); apply names it. */
  | { kind: 'journal-failed'; failed: StepOutcome | null; down: boolean; windowOpened: boolean; rollback: RollbackOutcome | null };

export interface DriveResult {
  end: DriveEnd;
  outcomes: StepOutcome[];
}

export async function driveRange(run: Run, o: DriveOptions): Promise<DriveResult> {
  const outcomes: StepOutcome[] = [];
  const firstKey = o.range[0]!.key;
  const lastKey = o.range[o.range.length - 1]!.key;
  const inRange = new Set(o.range.map((s) => s.key));
  if (o.from) skipBefore(run, firstKey, o.from);
  const retried = new Set<string>();
  for (;;) {
    const step = nextToRun(run, retried);
    if ('done' in step) break;
    if ('blocked' in step) return { end: { kind: 'blocked', reason: step.blocked }, outcomes };
    if (!inRange.has(step.key)) return { end: { kind: 'through', lastKey }, outcomes };
    // A parallel step's pending expansions in the range run at once (all ended before anything follows).
    const group = step.parallel ? togetherWith(run, step, inRange) : [step.key];
    const outs = group.length > 1 ? await run.runGroup(group, o.hooks) : [await run.runStep(step.key, o.hooks)];
    outcomes.push(...outs);
    const out = outs.find((x) => x.notRun || x.state === 'failed') ?? outs[outs.length - 1]!;
    if (run.journal.failure) return { end: await afterJournalFailure(run, out, o), outcomes };
    if (out.notRun) return { end: { kind: 'not-run', outcome: out }, outcomes };
    if (out.state === 'failed') return { end: await afterFailure(run, out, o), outcomes };
    if (group.includes(lastKey) && lastKey !== run.plan[run.plan.length - 1]!.key) return { end: { kind: 'through', lastKey }, outcomes };
  }
  run.finish('succeeded');
  return { end: { kind: 'done' }, outcomes };
}

async function afterFailure(run: Run, failed: StepOutcome, o: DriveOptions): Promise<DriveEnd> {
  const down = run.record().outage.startedAt !== null;
  if (down && !o.noRollback) {
    o.beforeRollback?.('step-failed', failed);
    // Writes the target took inside the window are carried back, never dropped unasked.
    return { kind: 'failed', failed, down, rollback: await run.rollback(o.hooks, { newWrites: 'copy-back' }) };
  }
  run.finish('failed');
  return { kind: 'failed', failed, down, rollback: null };
}

/** The journal cannot be written (disk full, I/O error): inside the window roll back from memory, else stop. */
async function afterJournalFailure(run: Run, out: StepOutcome, o: DriveOptions): Promise<DriveEnd> {
  const rec = run.record();
  const windowOpened = rec.outage.startedAt !== null;
  const down = windowOpened && rec.outage.endedAt === null;
  const failed = out.notRun || out.state !== 'failed' ? null : out;
  if (!down || o.noRollback) {
    run.finish('failed');
    return { kind: 'journal-failed', failed, down, windowOpened, rollback: null };
  }
  o.beforeRollback?.('journal-failed', failed);
  return { kind: 'journal-failed', failed, down, windowOpened, rollback: await run.rollback(o.hooks) };
}

/** The keys that run together with `step` (engine nextGroup), cut at the end of the range. */
function togetherWith(run: Run, step: ResolvedStep, inRange: Set<string>): string[] {
  const g = nextGroup(run.plan, run.states());
  if (!('steps' in g) || g.steps[0]!.key !== step.key) return [step.key];
  const keys: string[] = [];
  for (const s of g.steps) {
    if (!inRange.has(s.key)) break;
    keys.push(s.key);
  }
  return keys;
}

/** The next step for a non-interactive driver: the engine's next, or a failed step retried once. */
function nextToRun(run: Run, retried: Set<string>): ResolvedStep | { done: true } | { blocked: string } {
  const nx = run.next();
  if ('step' in nx) return nx.step;
  if (nx.done) return { done: true };
  const states = run.states();
  const failed = run.plan.find((s) => stateOf(states, s.key) === 'failed');
  if (failed && !retried.has(failed.key)) {
    retried.add(failed.key);
    return failed;
  }
  return { blocked: nx.blocked };
}

function skipBefore(run: Run, firstKey: string, from: string): void {
  const states = run.states();
  for (const s of run.plan) {
    if (s.key === firstKey) return;
    if (stateOf(states, s.key) === 'pending') run.skipStep(s.key, `apply --from ${from}`);
  }
}
