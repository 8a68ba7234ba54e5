// `watch`: the screen follows the journal read-only. Step states and output come from the journal's step
// events (as each step ends), the outage window from the run record, who drives from the lease.
import { JournalMissingError, openJournal, type Journal } from '../journal/journal.ts';
import { follow } from '../journal/follow.ts';
import { leaseHolder, STALE_MS } from '../journal/lease.ts';
import type { RunRecord } from '../journal/types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import { driverEvent, outageEvent, stepEvents, type Shown } from './journal-view.ts';

export interface Follower {
  stop(): void;
}

const isCutoverRun = (r: RunRecord) => r.mode === 'apply' || r.mode === 'run';

/** The run a follower shows: the unfinished one, else the latest cutover run. */
export function runToShow(j: Journal): RunRecord | null {
  const open = j.unfinishedRun();
  if (open && isCutoverRun(open)) return open;
  return [...j.runs()].reverse().find(isCutoverRun) ?? null;
}

export function followJournal(store: CockpitStore, o: { stateDir: string; plan: readonly ResolvedStep[]; env: NodeJS.ProcessEnv; intervalMs?: number }): Follower {
  const interval = o.intervalMs ?? 250;
  let journal: Journal | null = null;
  let stopFollow: (() => void) | null = null;
  let runId: number | null = null;
  let shown = new Map<string, Shown>();
  let lastDriver = '';
  let lastOutage = '';
  let stopped = false;

  const refresh = () => {
    if (!journal || stopped) return;
    const run = runToShow(journal);
    if (run && run.id !== runId) {
      // A different run: what the screen showed belongs to the previous one.
      store.dispatchAll([...shown.keys()].map((key) => ({ type: 'step-state', key, state: 'pending' }) as const));
      shown = new Map();
      runId = run.id;
    }
    if (run) {
      store.dispatchAll(stepEvents(o.plan, journal.stepStates(run.id), shown));
      const outage = outageEvent(run);
      const key = JSON.stringify(outage);
      if (key !== lastOutage) {
        lastOutage = key;
        store.dispatch(outage);
      }
    }
    const d = driverEvent(leaseHolder(journal), run, Date.now(), STALE_MS);
    const dk = JSON.stringify(d);
    if (dk !== lastDriver) {
      lastDriver = dk;
      store.dispatch(d);
    }
  };

  const open = (): boolean => {
    try {
      journal = openJournal({ stateDir: o.stateDir, readonly: true, env: o.env });
    } catch (err) {
      if (err instanceof JournalMissingError) return false;
      throw err;
    }
    refresh();
    stopFollow = follow(journal, { afterEventId: journal.lastEventId(), intervalMs: interval, onEvents: refresh, onError: (err) => store.dispatch({ type: 'message', text: `journal: ${err.message}`, level: 'warn' }) });
    return true;
  };

  // Until someone starts driving there may be no journal yet; look again every two seconds. The lease's
  // heartbeat is no event, so who drives (and a stale lock) is re-read every two seconds too.
  const waiting = setInterval(() => {
    if (!journal) {
      if (open()) return;
      return;
    }
    refresh();
  }, 2000);
  if (!open()) store.dispatch({ type: 'driver', name: 'nobody', lock: 'free', detail: 'no journal yet' });
  return {
    stop() {
      stopped = true;
      clearInterval(waiting);
      stopFollow?.();
      journal?.close();
    },
  };
}
