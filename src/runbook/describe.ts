// What each resolved step will do, as the commands an operator would type: shown by `plan` and the
// cockpit's preview. Run-time values appear as markers (`<ip of posta>`). Pure. Each action's own text is
// in its descriptor (src/actions/<action>.ts, `plan` and `undo`), read through the catalog it is given.
import type { ResolvedRollback, ResolvedStep } from '../engine/types.ts';
import { NOTHING_TO_UNDO } from '../engine/rollback.ts';
import type { Runbook } from './schema.ts';
import { descriptorOf, type ActionCatalog } from './catalog.ts';

export function describeAction(catalog: ActionCatalog, action: string, p: Record<string, unknown>, rb: Runbook, item?: string): string[] {
  const d = descriptorOf(catalog, action);
  return d ? d.plan(p, rb, item) : [`(unknown action ${action}${item ? ` for ${item}` : ''})`];
}

export function describeStep(step: ResolvedStep, rb: Runbook, catalog: ActionCatalog): string[] {
  return describeAction(catalog, step.action, step.params, rb, step.item);
}

/** One line saying how the step is undone. */
export function describeRollback(step: ResolvedStep, rb: Runbook, catalog: ActionCatalog): string {
  const r: ResolvedRollback = step.rollback;
  if (r.kind === 'none') return r.reason === NOTHING_TO_UNDO ? 'nothing to undo' : `not undoable: ${r.reason}`;
  if (r.kind === 'auto') {
    const undo = descriptorOf(catalog, step.action)?.undo;
    return undo?.kind === 'auto' ? undo.plan(step, rb) : 'auto';
  }
  return describeAction(catalog, r.action, r.params, rb, step.item).join('; ');
}
