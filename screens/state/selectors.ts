// Derived facts about the cockpit state, shared by the reducer, the keymap's `when` and the components.
import type { ResolvedStep } from '../../src/engine/types.ts';
import type { CockpitState, StepView } from './types.ts';
import { instanceRef } from '../../src/runbook/instance-ref.ts';

const DONE = new Set(['succeeded', 'skipped', 'rolled-back']);

export function runningStep(state: CockpitState): StepView | undefined {
  return state.steps.find((s) => s.state === 'running');
}

/** The outage window is open: it opened (a legacy daemon was stopped) and has not closed yet. */
export function outageOpen(state: CockpitState): boolean {
  return state.clock.openedAt != null && state.clock.closedAt == null;
}

/** What this run took down and has not brought back: the containers of stop steps done (service or container). */
export function downNow(state: CockpitState): string[] {
  const names = state.steps
    .filter((v) => v.state === 'succeeded' && (v.step.action === 'service.stop' || v.step.action === 'container.stop'))
    .map((v) => v.step.params['container'])
    .filter((c): c is string => typeof c === 'string');
  return [...new Set(names)];
}

/** Steps the rollback undid, once nothing runs any more: the run is rolled back (0 when it is not). */
export function undoneCount(state: CockpitState): number {
  if (runningStep(state)) return 0;
  return state.steps.filter((s) => s.state === 'rolled-back').length;
}

/** Index of the step `enter` would run: the first one not done (a failed step is retried). -1 when none. */
export function nextStepIndex(state: CockpitState): number {
  return state.steps.findIndex((s) => !DONE.has(s.state));
}

export function selectedStep(state: CockpitState): StepView | undefined {
  return state.steps[state.selected];
}

export function stepByKey(state: CockpitState, key: string): StepView | undefined {
  return state.steps.find((s) => s.step.key === key);
}

export function wasRolledBack(state: CockpitState): boolean {
  return state.steps.some((s) => s.state === 'rolled-back');
}

/** Why `enter`/`s` cannot act on the next step right now, or null when they can. */
export function whyNoNextStep(state: CockpitState): string | null {
  const running = runningStep(state);
  if (running) return `${running.step.key} is running`;
  if (wasRolledBack(state)) return 'the run was rolled back';
  if (nextStepIndex(state) < 0) return 'every step is done';
  return null;
}

/** The cockpit binding (a screens/keymap.ts id) acts on steps of this action: the action's descriptor names it. */
export function bindingActsOn(state: Pick<CockpitState, 'actions'>, binding: string, action: string): boolean {
  return Object.hasOwn(state.actions, action) && state.actions[action]!.bindings.includes(binding);
}

/** Why `w` (waive the stability window) cannot act now, or null: the next step must be a gate that blocked. */
export function whyNoWaiver(state: CockpitState): string | null {
  const why = whyNoNextStep(state);
  if (why) return why;
  const next = state.steps[nextStepIndex(state)]!;
  if (!bindingActsOn(state, 'waive', next.step.action)) return 'the next step is no stability gate';
  if (next.state !== 'failed') return 'the gate has not blocked (enter runs it)';
  return null;
}

/** The log review ran and is waiting for an acknowledgement of what it found. */
export function awaitsAcknowledgement(state: Pick<CockpitState, 'actions'>, v: StepView | undefined): boolean {
  return !!v && bindingActsOn(state, 'acknowledge', v.step.action) && v.state === 'failed' && v.failureCode === 'not-acknowledged';
}

/** Why `a` (acknowledge the log review) cannot act now, or null. */
export function whyNoAcknowledge(state: CockpitState): string | null {
  const why = whyNoNextStep(state);
  if (why) return why;
  const next = state.steps[nextStepIndex(state)]!;
  if (!bindingActsOn(state, 'acknowledge', next.step.action)) return 'the next step is no log review';
  if (!awaitsAcknowledgement(state, next)) return 'run the log review first (enter); a acknowledges what it found';
  return null;
}

/**
 * The name an irreversible step needs typed: the container it acts on (REMOTE:NAME when the runbook reaches
 * Incus through `remote`, as everywhere else it is shown), else its for_each item, else its key.
 */
export function typedConfirmName(step: ResolvedStep, remote?: string): string {
  const container = step.params['container'];
  if (typeof container === 'string' && container && !container.includes('{{')) return instanceRef({ runtime: { remote } }, container);
  return step.item ?? step.key;
}

/** Milliseconds the outage window has been open (to closedAt, or to now while open); null when not opened. */
export function outageElapsed(state: CockpitState): number | null {
  const { openedAt, closedAt, now } = state.clock;
  if (openedAt == null) return null;
  return Math.max(0, (closedAt ?? now) - openedAt);
}

export type BudgetLevel = 'ok' | 'amber' | 'red';
export function budgetLevel(elapsedMs: number, budgetMs: number): BudgetLevel {
  if (budgetMs <= 0) return 'ok';
  if (elapsedMs > budgetMs) return 'red';
  if (elapsedMs > budgetMs / 2) return 'amber';
  return 'ok';
}
