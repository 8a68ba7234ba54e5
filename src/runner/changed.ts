// What a step journals as `changed`: the report's event contract (src/journal/events.ts), from each action's
// executor (its report()), plus `undo`: the executor's own record, which rollback hands back to its undo(). Pure.
import type { ActionResult, ReportExtras } from '../actions/types.ts';
import { actionOf, type ActionRegistry } from '../actions/index.ts';
import type { ResolvedStep } from '../engine/types.ts';

type Loose = Record<string, unknown>;

export type ChangedExtras = ReportExtras;

export function journalChanged(actions: ActionRegistry, step: ResolvedStep, result: ActionResult, extras: ChangedExtras = {}): Loose {
  const undo: Loose = { ...(result.changed ?? {}), ...(extras.intent ?? {}) };
  const fields = actionOf(step.action, actions)?.report?.(step, result, extras) ?? { ...(result.changed ?? {}) };
  return { ...fields, undo };
}

/** The executor's own record from a journaled `changed` (older records without `undo` are used as they are). */
export function undoRecord(changed: unknown): Loose | null {
  if (!changed || typeof changed !== 'object') return null;
  const c = changed as Loose;
  return c.undo && typeof c.undo === 'object' ? (c.undo as Loose) : c;
}
