// What `run` and `watch` share: the store for a runbook's plan (with each step's commands as its preview),
// the live panels, the once-a-second clock tick (the store itself: store-init.ts).
import { takeSnapshot } from '../../checks/snapshot.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import type { Action } from '../../screens/state/types.ts';
import { initialStore } from './store-init.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { LiveContext } from '../../checks/live.ts';
import { readJournalFacts } from '../report/facts.ts';
import { startPanels, type Panels } from './panels.ts';
import { startPreviews, stepPreview, type Previews } from './preview.ts';

export { stepPreview };

export { DEFAULT_INTERVAL_S, parseInterval } from './store-init.ts';

/** The store with each step's commands as its preview (`d`); `run` and `watch` add those after the first frame. */
export function createStore(rb: Runbook, plan: readonly ResolvedStep[], o: { readOnly: boolean; driver: string }): CockpitStore {
  const store = initialStore(rb, plan, o);
  addPreviews(store, rb, plan);
  return store;
}

export function addPreviews(store: CockpitStore, rb: Runbook, plan: readonly ResolvedStep[]): void {
  const diffs: Action[] = [];
  for (const step of plan) {
    try {
      diffs.push({ type: 'diff', key: step.key, diff: stepPreview(step, rb) });
    } catch {
      // a step that cannot be described still runs; it just has no preview
    }
  }
  store.dispatchAll(diffs);
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
    async () =>
      takeSnapshot(live.runbook, { runtime: live.runtime, http: live.http, upstreams: live.upstreams }, { phase: 'auto', baseline: await live.baselines.load(), env, facts: readJournalFacts(live.stateDir, live.steps.length) }),
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
