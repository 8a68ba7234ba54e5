// Which runs changed the world, and what: a run that only looked (a refused apply, a cockpit opened and
// quit, checks) changed nothing and must never shadow the run that did, for rollback or for the operator.
import type { Journal } from './journal.ts';
import { readOnlyActions, type ActionCatalog } from '../runbook/catalog.ts';
import type { RunRecord, StepRecord } from './types.ts';

export interface StepChange {
  key: string;
  action: string | null;
  /** The step's last state: succeeded, failed (maybe partial), running (the driver died in it), rolled-back. */
  state: StepRecord['state'];
}

/**
 * The steps of one folded run that may have changed the world, in journal order. Pure. Steps of actions that only
 * read the world (the catalog's readOnly: their records go to the state dir) count only when they journaled an intent.
 */
export function changedSteps(steps: Iterable<StepRecord>, catalog: ActionCatalog, intentKeys: ReadonlySet<string> = new Set()): StepChange[] {
  const out: StepChange[] = [];
  const readOnly = readOnlyActions(catalog);
  for (const s of steps) {
    if (s.state === 'pending' || s.state === 'skipped') continue;
    if (s.attempts === 0 && s.state !== 'rolled-back') continue;
    if (s.action && readOnly.has(s.action) && !intentKeys.has(s.key)) continue;
    out.push({ key: s.key, action: s.action, state: s.state });
  }
  return out;
}

export function runChanges(journal: Journal, runId: number, catalog: ActionCatalog): StepChange[] {
  const intents = new Set(
    (journal.db.prepare("SELECT DISTINCT step_key FROM events WHERE run_id = ? AND kind = 'intent'").all(runId) as { step_key: string }[]).map((r) => r.step_key),
  );
  return changedSteps(journal.stepStates(runId).values(), catalog, intents);
}

/** Driven runs (apply, run), newest first; an abandoned run (its world is gone) is never the one rolled back. */
function drivenRuns(journal: Journal): RunRecord[] {
  return journal.runs().filter((r) => (r.mode === 'apply' || r.mode === 'run') && r.outcome !== 'abandoned').reverse();
}

/** The newest driven run that changed the world (the one a rollback undoes), or null when none did. */
export function runThatChangedTheWorld(journal: Journal, catalog: ActionCatalog): RunRecord | null {
  for (const r of drivenRuns(journal)) if (runChanges(journal, r.id, catalog).length) return r;
  return null;
}
