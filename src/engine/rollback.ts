// The rollback plan: derived from what actually happened, newest first. Succeeded steps are undone; a failed
// destructive step, or a failed step whose action undoes itself (rollback "auto": it journals its intent
// first and its undo decides from the world), is undone too: it may have partly applied. The runner and the
// cockpit's overlay both call this one function. Steps whose undo is "none" stay in the list,
// marked not undoable with the reason, so the operator sees what remains changed.
import type { ResolvedRollback, ResolvedStep } from './types.ts';
import { stateOf, type StepStates } from './transitions.ts';

/** Reason given to non-destructive steps without a rollback; the rollback plan leaves them out. */
export const NOTHING_TO_UNDO = 'not destructive: nothing to undo';

export interface RollbackEntry {
  step: ResolvedStep;
  undo: ResolvedRollback;
  /** The step failed: its effect may be partial. */
  partial: boolean;
}

export interface RollbackPlan {
  /** Reverse plan order. 'auto' entries are undone by the executor from the action's own record. */
  entries: RollbackEntry[];
  /** The entries with kind 'none', for the "stays changed" list. */
  notUndoable: RollbackEntry[];
}

export function rollbackPlan(plan: readonly ResolvedStep[], states: StepStates): RollbackPlan {
  const entries: RollbackEntry[] = [];
  for (const step of [...plan].reverse()) {
    const state = stateOf(states, step.key);
    const partial = state === 'failed';
    if (state !== 'succeeded' && !(partial && (step.destructive || step.rollback.kind === 'auto'))) continue;
    if (step.rollback.kind === 'none' && step.rollback.reason === NOTHING_TO_UNDO) continue;
    entries.push({ step, undo: step.rollback, partial });
  }
  return { entries, notUndoable: entries.filter((e) => e.undo.kind === 'none') };
}
