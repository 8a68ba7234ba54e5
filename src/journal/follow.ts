// The follower feed for `watch`: poll the events table by id. WAL readers never block the writer, and a
// poll is one indexed query, so a short interval is cheap.
import type { Journal } from './journal.ts';
import type { JournalEvent } from './types.ts';

export interface FollowOptions {
  /** Deliver events after this id (0: from the beginning; journal.lastEventId(): only new ones). */
  afterEventId?: number;
  intervalMs?: number;
  onEvents: (events: JournalEvent[]) => void;
  onError?: (err: Error) => void;
}

/** Starts polling; returns stop(). The timer is unref'd: following never keeps a process alive. */
export function follow(journal: Journal, opts: FollowOptions): () => void {
  let after = opts.afterEventId ?? 0;
  let stopped = false;
  const poll = () => {
    if (stopped) return;
    try {
      for (;;) {
        const batch = journal.eventsAfter(after);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.id;
        opts.onEvents(batch);
        if (stopped) return;
      }
    } catch (err) {
      opts.onError?.(err as Error);
    }
  };
  const timer = setInterval(poll, opts.intervalMs ?? 200);
  timer.unref();
  poll();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
