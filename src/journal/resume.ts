// Where an interrupted run stopped: what is done, which step was running when the driver died (to be
// re-checked before anything else runs), and what comes next.
import type { Journal } from './journal.ts';
import type { RunRecord, StepRecord } from './types.ts';

export interface ResumePoint {
  runId: number;
  /** Plan keys known to be done (succeeded or skipped), in plan order. */
  done: string[];
  /** The step that was running when the driver died: re-check it (verify, or ask) before going on. */
  interrupted: string | null;
  /** Every step that was running when the driver died (more than one: a parallel step's expansions), plan order. */
  interruptedAll: string[];
  /** Steps whose last attempt failed. */
  failed: string[];
  /** The first plan step not known to be done (the interrupted one if there is one), or null when all are. */
  next: string | null;
  /** Keys in the journal that the current plan does not have (the runbook changed). */
  unknown: string[];
}

export class RunbookChangedError extends Error {
  constructor(
    readonly runId: number,
    readonly oldSha256: string,
    readonly newSha256: string,
    /** The runbook text the run started with, for showing the diff. */
    readonly oldText: string,
  ) {
    super(`run ${runId} started with a different runbook (sha256 ${oldSha256.slice(0, 12)}…, now ${newSha256.slice(0, 12)}…); review the diff and pass --accept-changed-runbook to resume anyway`);
    this.name = 'RunbookChangedError';
  }
}

export function resumePoint(
  journal: Journal,
  runId: number,
  planKeys: string[],
  opts: { runbookSha256?: string; acceptChangedRunbook?: boolean } = {},
): ResumePoint {
  const run = journal.run(runId);
  if (!run) throw new Error(`${journal.file}: no run ${runId}`);
  if (opts.runbookSha256 && opts.runbookSha256 !== run.runbookSha256 && !opts.acceptChangedRunbook) {
    throw new RunbookChangedError(runId, run.runbookSha256, opts.runbookSha256, run.runbookText);
  }
  return { runId, ...resumeFromSteps(journal.stepStates(runId), planKeys) };
}

/** The pure part: plan order against folded step records. */
export function resumeFromSteps(steps: Map<string, StepRecord>, planKeys: string[]): Omit<ResumePoint, 'runId'> {
  const isDone = (k: string) => {
    const s = steps.get(k)?.state;
    return s === 'succeeded' || s === 'skipped';
  };
  const running = [...steps.values()].filter((s) => s.state === 'running').sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  const interrupted = running[0]?.key ?? null;
  const plan = new Set(planKeys);
  return {
    done: planKeys.filter(isDone),
    interrupted,
    interruptedAll: planKeys.filter((k) => steps.get(k)?.state === 'running'),
    failed: planKeys.filter((k) => steps.get(k)?.state === 'failed'),
    next: interrupted ?? planKeys.find((k) => !isDone(k)) ?? null,
    unknown: [...steps.keys()].filter((k) => !plan.has(k)),
  };
}

/**
 * The newest driving run (apply or cockpit), when it failed with the outage window open and was never rolled
 * back: its changes (legacy daemons down, maybe a repoint) are still in the world, so no new run may start
 * (and no preflight may judge the world it left) until it is rolled back.
 */
export function failedWithWindowOpen(runs: readonly RunRecord[]): RunRecord | null {
  const last = [...runs].reverse().find((x) => x.mode === 'apply' || x.mode === 'run');
  return last && last.outcome === 'failed' && last.outage.startedAt !== null && last.outage.endedAt === null ? last : null;
}
