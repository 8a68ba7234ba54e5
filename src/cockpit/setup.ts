// What `run` and `watch` share: the store for a runbook's plan (with each step's commands as its preview),
// the live panels, the once-a-second clock tick.
import { takeSnapshot } from '../../checks/snapshot.ts';
import { createCockpitStore, type CockpitStore } from '../../screens/state/store.ts';
import { parseDuration } from '../engine/duration.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { LiveContext } from '../commands/status.ts';
import { startPanels, type Panels } from './panels.ts';
import { startPreviews, stepPreview, type Previews } from './preview.ts';

export { stepPreview };

export const DEFAULT_INTERVAL_S = 2;


export function createStore(rb: Runbook, plan: readonly ResolvedStep[], o: { readOnly: boolean; driver: string }): CockpitStore {
  const store = createCockpitStore({
    runbook: { name: rb.runbook.name, ...(rb.runbook.title ? { title: rb.runbook.title } : {}) },
    steps: [...plan],
    outageBudgetMs: parseDuration(rb.runbook.outage_budget),
    driver: { name: o.driver, lock: o.readOnly ? 'unknown' : 'held' },
    readOnly: o.readOnly,
    now: Date.now(),
  });
  for (const step of plan) {
    try {
      store.dispatch({ type: 'diff', key: step.key, diff: stepPreview(step, rb) });
    } catch {
      // a step that cannot be described still runs; it just has no preview
    }
  }
  return store;
}

export interface Live {
  panels: Panels;
  previews: Previews;
  stop(): void;
}

/** Panels every `intervalS` seconds (the baseline is re-read each time: the baseline step writes it) and the clock. */
export function startLive(store: CockpitStore, live: LiveContext, env: NodeJS.ProcessEnv, intervalS: number): Live {
  const panels = startPanels(
    store,
    async () => takeSnapshot(live.runbook, { runtime: live.runtime, http: live.http, upstreams: live.upstreams }, { phase: 'auto', baseline: await live.baselines.load(), env }),
    intervalS * 1000,
  );
  const previews = startPreviews(store, { runbook: live.runbook, runtime: live.runtime, env, baselines: live.baselines });
  const tick = setInterval(() => store.dispatch({ type: 'tick', now: Date.now() }), 1000);
  return {
    panels,
    previews,
    stop() {
      previews.stop();
      clearInterval(tick);
      panels.stop();
    },
  };
}

export function parseInterval(v: string | undefined): number {
  if (v === undefined) return DEFAULT_INTERVAL_S;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.2) throw new Error(`--interval must be a number of seconds ≥ 0.2 (got "${v}")`);
  return n;
}
