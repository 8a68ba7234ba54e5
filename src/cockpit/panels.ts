// Live panels for the cockpit: a snapshot every interval (never two at once), `v` for one right now.
// Refreshing runs beside input: the screen only receives the finished snapshot.
import type { Snapshot } from '../../checks/types.ts';
import type { CockpitStore } from '../../screens/state/store.ts';

export interface Panels {
  /** Re-check now (the `recheck` effect); a refresh already in flight is joined, not doubled. */
  refreshNow(): Promise<void>;
  stop(): void;
}

export function startPanels(store: CockpitStore, take: () => Promise<Snapshot>, intervalMs: number): Panels {
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const once = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = take()
      .then((snapshot) => {
        if (!stopped) store.dispatch({ type: 'snapshot', snapshot });
      })
      .catch((err: Error) => {
        if (stopped) return;
        store.dispatch({ type: 'checking', on: false });
        store.dispatch({ type: 'message', text: `panels: ${err.message}`, level: 'warn' });
      })
      .finally(() => {
        inFlight = null;
        schedule();
      });
    return inFlight;
  };
  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void once(), intervalMs);
  };
  void once();
  return {
    refreshNow: once,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
