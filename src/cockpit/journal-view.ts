// The journal as the screen sees it: step records → the store's step-state/output events, the run's outage
// window, the lease → who drives. Pure; `run` uses it once when resuming, `watch` on every journal change.
import type { ResolvedStep } from '../engine/types.ts';
import type { LeaseHolder } from '../journal/lease.ts';
import type { RunRecord, StepRecord } from '../journal/types.ts';
import type { DriverEvent, LockState } from '../../screens/state/types.ts';

/** What was last shown per step, so a follower only sends what changed. */
export interface Shown {
  state: string;
  outputLines: number;
  attempts: number;
}

function outputLines(r: StepRecord): string[] {
  return r.output ? r.output.split('\n') : [];
}

/** Events that bring the screen from `shown` to the journal's records; updates `shown` in place. */
export function stepEvents(plan: readonly ResolvedStep[], records: Map<string, StepRecord>, shown: Map<string, Shown> = new Map()): DriverEvent[] {
  const events: DriverEvent[] = [];
  for (const step of plan) {
    const r = records.get(step.key);
    if (!r) continue;
    const before = shown.get(step.key);
    const lines = outputLines(r);
    const newAttempt = before !== undefined && before.attempts !== r.attempts;
    if (!before || before.state !== r.state || newAttempt) {
      const skipped = r.state === 'skipped' ? (r.error ?? undefined) : undefined;
      events.push({
        type: 'step-state',
        key: step.key,
        state: r.state,
        at: r.state === 'running' ? (r.startedAt ?? undefined) : (r.endedAt ?? r.rolledBack?.at ?? undefined),
        ...(r.state === 'failed' && r.error ? { error: r.error.split('\n')[0] } : {}),
        ...(r.state === 'failed' && r.failureCode ? { code: r.failureCode } : {}),
        ...(skipped ? { reason: skipped } : {}),
      });
    }
    const from = before && !newAttempt ? before.outputLines : 0;
    if (lines.length > from) events.push({ type: 'output', key: step.key, lines: lines.slice(from) });
    shown.set(step.key, { state: r.state, outputLines: lines.length, attempts: r.attempts });
  }
  return events;
}

export function outageEvent(run: RunRecord): DriverEvent {
  return { type: 'outage', openedAt: run.outage.startedAt, closedAt: run.outage.endedAt };
}

/** Who drives, for the header: the lease holder while it heartbeats, else the run's operator. */
export function driverEvent(holder: LeaseHolder | null, run: RunRecord | null, now: number, staleMs: number): DriverEvent {
  if (holder) {
    const lock: LockState = now - holder.heartbeatAt > staleMs ? 'stale' : 'held';
    return { type: 'driver', name: `${holder.user}@${holder.host}`, lock, detail: `pid ${holder.pid}` };
  }
  if (run && run.endedAt === null) return { type: 'driver', name: run.operator, lock: 'free', detail: 'not driving now' };
  return { type: 'driver', name: 'nobody', lock: 'free', ...(run?.outcome ? { detail: `last run ${run.outcome}` } : {}) };
}
