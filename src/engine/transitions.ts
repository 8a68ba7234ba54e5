// Legal step-state transitions. Everything not listed here is refused.
//
//   pending   → running      the step is started
//   pending   → skipped      the operator skips it before it ran
//   running   → succeeded    the action and its verify conditions passed
//   running   → failed       the action failed, verify failed, or the run died while it was running
//   failed    → running      retry
//   failed    → skipped      the operator decides to go on without it (after looking at why it failed)
//   failed    → rolled-back  a failed step may have partly applied; its undo ran
//   succeeded → rolled-back  its undo ran during a rollback
//
// skipped and rolled-back are final: a skipped step cannot be run later, a rolled-back run starts anew.
import type { StepState } from './types.ts';

export const TRANSITIONS: Readonly<Record<StepState, readonly StepState[]>> = {
  pending: ['running', 'skipped'],
  running: ['succeeded', 'failed'],
  failed: ['running', 'skipped', 'rolled-back'],
  succeeded: ['rolled-back'],
  skipped: [],
  'rolled-back': [],
};

export function canTransition(from: StepState, to: StepState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(
    readonly key: string,
    readonly from: StepState,
    readonly to: StepState,
  ) {
    const allowed = TRANSITIONS[from];
    super(`step ${key}: cannot go from ${from} to ${to} (from ${from}: ${allowed.length ? allowed.join(', ') : 'nothing, it is final'})`);
    this.name = 'IllegalTransition';
  }
}

export type StepStates = Readonly<Record<string, StepState>>;

/** The state of a step; a step never touched is pending. */
export function stateOf(states: StepStates, key: string): StepState {
  return states[key] ?? 'pending';
}

/** A new states record with `key` moved to `to`; throws IllegalTransition when not allowed. */
export function transition(states: StepStates, key: string, to: StepState): StepStates {
  const from = stateOf(states, key);
  if (!canTransition(from, to)) throw new IllegalTransition(key, from, to);
  return { ...states, [key]: to };
}
