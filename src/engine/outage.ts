// The outage clock: the window opens when the first step marked outage = "opens" starts and closes when
// every step marked outage = "closes" has succeeded. Shown against the runbook's budget.
import type { ResolvedStep } from './types.ts';

export type OutageLevel = 'idle' | 'ok' | 'amber' | 'red';

export interface StepTimes {
  /** Epoch ms each step key started (first attempt). */
  startedAt: Readonly<Record<string, number>>;
  /** Epoch ms each step key succeeded; absent while it has not. */
  succeededAt: Readonly<Record<string, number>>;
}

export interface OutageClock {
  /** null until the opening step has started. */
  start: number | null;
  /** null while the window is open. */
  end: number | null;
  elapsedMs: number;
  budgetMs: number;
  /** idle before the window; ok up to half the budget; amber past half; red past the budget. */
  level: OutageLevel;
}

/** Keys of the steps inside the window (from the first opening step to the last closing step, inclusive). */
export function outageSteps(plan: readonly ResolvedStep[]): Set<string> {
  const first = plan.findIndex((s) => s.outage === 'opens');
  const lastClose = plan.map((s) => s.outage).lastIndexOf('closes');
  if (first < 0) return new Set();
  const last = lastClose >= first ? lastClose : plan.length - 1;
  return new Set(plan.slice(first, last + 1).map((s) => s.key));
}

export function outageClock(plan: readonly ResolvedStep[], times: StepTimes, now: number, budgetMs: number): OutageClock {
  const opening = plan.filter((s) => s.outage === 'opens').map((s) => times.startedAt[s.key]).filter((t): t is number => t !== undefined);
  const closing = plan.filter((s) => s.outage === 'closes');
  const start = opening.length ? Math.min(...opening) : null;
  const closedAt = closing.length && closing.every((s) => times.succeededAt[s.key] !== undefined) ? Math.max(...closing.map((s) => times.succeededAt[s.key]!)) : null;
  const end = start !== null && closedAt !== null && closedAt >= start ? closedAt : null;
  const elapsedMs = start === null ? 0 : (end ?? now) - start;
  const level: OutageLevel = start === null ? 'idle' : elapsedMs > budgetMs ? 'red' : elapsedMs > budgetMs / 2 ? 'amber' : 'ok';
  return { start, end, elapsedMs, budgetMs, level };
}
