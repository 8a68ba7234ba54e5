// A minimal external store around the reducer: the driver dispatches events and receives effects; the
// Cockpit subscribes (useSyncExternalStore) and dispatches intents. No I/O.
import { initialState, reduce, type CockpitInit } from './reducer.ts';
import type { Action, CockpitState, Effect } from './types.ts';

export interface CockpitStore {
  getState(): CockpitState;
  /** Applies the action; returns the effects it requested (also delivered to onEffect handlers). */
  dispatch(action: Action): Effect[];
  /** Applies the actions in order and tells subscribers once (the screen builds one frame, not one per action). */
  dispatchAll(actions: readonly Action[]): Effect[];
  subscribe(listener: () => void): () => void;
  onEffect(handler: (effect: Effect) => void): () => void;
}

export function createCockpitStore(init: CockpitInit | CockpitState): CockpitStore {
  let state: CockpitState = 'steps' in init && 'overlay' in init ? init : initialState(init as CockpitInit);
  const listeners = new Set<() => void>();
  const handlers = new Set<(effect: Effect) => void>();
  return {
    getState: () => state,
    dispatch(action) {
      return this.dispatchAll([action]);
    },
    dispatchAll(actions) {
      const before = state;
      const effects: Effect[] = [];
      for (const action of actions) {
        const r = reduce(state, action);
        state = r.state;
        effects.push(...r.effects);
      }
      if (state !== before) for (const l of [...listeners]) l();
      for (const e of effects) for (const h of [...handlers]) h(e);
      return effects;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEffect(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
