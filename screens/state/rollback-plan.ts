// The rollback plan as the cockpit shows it before asking: the engine's plan (src/engine/rollback.ts, the
// same function the runner executes), newest first, with how each step is undone in words.
import { rollbackPlan as enginePlan } from '../../src/engine/rollback.ts';
import type { StepStates } from '../../src/engine/transitions.ts';
import type { ResolvedRollback } from '../../src/engine/types.ts';
import type { CockpitState } from './types.ts';

export interface RollbackPlanItem {
  key: string;
  title: string;
  /** How it is undone, in words. */
  how: string;
  undone: boolean;
  /** The step failed: its effect may be partial (its undo decides from the world). */
  partial: boolean;
}

function describe(rollback: ResolvedRollback): { how: string; undone: boolean } {
  switch (rollback.kind) {
    case 'auto':
      return { how: 'undone by the action itself (restores what it saved)', undone: true };
    case 'none':
      return { how: `left as is: ${rollback.reason}`, undone: false };
    case 'step': {
      const target = [rollback.params['container'], rollback.params['service']].filter((v) => typeof v === 'string').join(' ');
      return { how: `${rollback.action}${target ? ` ${target}` : ''}`, undone: true };
    }
  }
}

/** What a rollback would undo now, newest first: exactly the runner's plan for these step states. */
export function rollbackPlan(state: CockpitState): RollbackPlanItem[] {
  const states: StepStates = Object.fromEntries(state.steps.filter((s) => s.state !== 'pending').map((s) => [s.step.key, s.state]));
  return enginePlan(
    state.steps.map((s) => s.step),
    states,
  ).entries.map((e) => ({ key: e.step.key, title: e.step.title, partial: e.partial, ...describe(e.undo) }));
}
