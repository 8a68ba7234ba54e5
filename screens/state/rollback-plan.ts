// The rollback plan as the cockpit shows it before asking: what was done, newest first, and how each is undone.
import type { ResolvedRollback } from '../../src/engine/types.ts';
import type { CockpitState } from './types.ts';

export interface RollbackPlanItem {
  key: string;
  title: string;
  /** How it is undone, in words. */
  how: string;
  undone: boolean;
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

/** Steps that changed something (succeeded, or failed part-way), newest first. */
export function rollbackPlan(state: CockpitState): RollbackPlanItem[] {
  return state.steps
    .filter((s) => s.state === 'succeeded' || s.state === 'failed')
    .reverse()
    .map((s) => ({ key: s.step.key, title: s.step.title, ...describe(s.step.rollback) }));
}
