// Pure decisions of the runner: which steps are destructive in a range, which actions may simply run
// again when the driver died in the middle of them.
import type { ResolvedStep } from '../engine/types.ts';
import { descriptorOf, type ActionCatalog } from '../runbook/catalog.ts';

/**
 * Actions whose executors converge: running them a second time after a partial first attempt leaves the
 * same end state (create-if-missing, overwrite-and-verify, stop-if-running, idempotent checks). A step of
 * any other action that was running when the driver died is re-run only after confirm().
 */
export function isRepeatable(catalog: ActionCatalog, action: string): boolean {
  const d = descriptorOf(catalog, action);
  return d !== undefined && d.onceOnly !== true;
}

/** The plan slice from `from` through `through` (step ids or keys, inclusive); throws naming unknown ones. */
export function planRange(plan: readonly ResolvedStep[], from?: string, through?: string): ResolvedStep[] {
  const find = (ref: string, last: boolean): number => {
    const idx = plan.map((s, i) => (s.key === ref || s.id === ref ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) throw new Error(`no step "${ref}" in the plan (steps: ${[...new Set(plan.map((s) => s.id))].join(', ')})`);
    return last ? idx[idx.length - 1]! : idx[0]!;
  };
  const start = from === undefined ? 0 : find(from, false);
  const end = through === undefined ? plan.length - 1 : find(through, true);
  if (end < start) throw new Error(`--through ${through} comes before --from ${from}`);
  return plan.slice(start, end + 1);
}

export function destructiveSteps(steps: readonly ResolvedStep[]): ResolvedStep[] {
  return steps.filter((s) => s.destructive || s.irreversible);
}
