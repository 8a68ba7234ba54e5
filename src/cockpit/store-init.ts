// The cockpit's store as it is before the first frame: the runbook's plan, nothing from the journal, the
// runtime or the panels yet (those arrive as events once the screen is up). Pure and cheap to import.
import { createCockpitStore, type CockpitStore } from '../../screens/state/store.ts';
import type { LockState } from '../../screens/state/types.ts';
import { parseDuration } from '../engine/duration.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { Runbook } from '../runbook/schema.ts';
import { cockpitOf } from '../runbook/catalog.ts';
import { CATALOG } from '../actions/index.ts';

export const DEFAULT_INTERVAL_S = 2;

export function initialStore(rb: Runbook, plan: readonly ResolvedStep[], o: { readOnly: boolean; driver: string; lock?: LockState; detail?: string }): CockpitStore {
  const store = createCockpitStore({
    runbook: { name: rb.runbook.name, ...(rb.runbook.title ? { title: rb.runbook.title } : {}), ...(rb.runtime.remote ? { remote: rb.runtime.remote } : {}) },
    steps: [...plan],
    actions: cockpitOf(CATALOG),
    outageBudgetMs: parseDuration(rb.runbook.outage_budget),
    driver: { name: o.driver, lock: o.lock ?? (o.readOnly ? 'unknown' : 'held') },
    readOnly: o.readOnly,
    now: Date.now(),
  });
  if (o.detail) store.dispatch({ type: 'driver', name: o.driver, lock: o.lock ?? 'unknown', detail: o.detail });
  return store;
}

export function parseInterval(v: string | undefined): number {
  if (v === undefined) return DEFAULT_INTERVAL_S;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.2) throw new Error(`--interval must be a number of seconds ≥ 0.2 (got "${v}")`);
  return n;
}
