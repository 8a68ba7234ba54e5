// The loop behind `cutover verify --every`: a jittered first run, then one run per slot of a fixed grid
// (a run that overruns its slot skips the missed ones instead of piling up), until --for has passed or a
// stop is asked for (SIGINT/SIGTERM). Time, sleep and randomness are passed in, so it is tested without
// waiting.

export interface ScheduleOptions {
  everyMs: number;
  /** Stop once this much time has passed since the start; null = until stopped. */
  forMs: number | null;
  /** The first run waits a random 0..jitterMs (several schedulers started together do not probe at once). */
  jitterMs: number;
  now: () => number;
  /** Resolves after ms, or earlier when `wake` is called. */
  sleep: (ms: number, signal: { wake?: () => void }) => Promise<void>;
  random?: () => number;
  /** One verification run; never throws (a run that cannot check records that itself). */
  once: (slot: number) => Promise<void>;
}

export interface Schedule {
  done: Promise<{ runs: number; stoppedEarly: boolean }>;
  /** Ends the schedule: a sleeping one at once, a running one after its run is recorded. */
  stop: () => void;
}

export function defaultJitterMs(everyMs: number): number {
  return Math.min(60_000, Math.round(everyMs / 10));
}

export function startSchedule(o: ScheduleOptions): Schedule {
  let stopped = false;
  const waker: { wake?: () => void } = {};
  const stop = () => {
    stopped = true;
    waker.wake?.();
  };
  const done = (async () => {
    const started = o.now();
    const end = o.forMs === null ? Infinity : started + o.forMs;
    let runs = 0;
    const jitter = Math.floor((o.random ?? Math.random)() * Math.max(0, o.jitterMs));
    if (jitter > 0) await o.sleep(Math.min(jitter, end - o.now()), waker);
    let slot = o.now();
    while (!stopped && slot < end) {
      await o.once(slot);
      runs++;
      const now = o.now();
      slot += o.everyMs;
      if (slot <= now) slot += Math.ceil((now - slot + 1) / o.everyMs) * o.everyMs;
      if (stopped || slot >= end) break;
      await o.sleep(slot - now, waker);
    }
    return { runs, stoppedEarly: stopped };
  })();
  return { done, stop };
}

/** setTimeout-based sleep that `wake` cuts short. */
export function realSleep(ms: number, signal: { wake?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal.wake = undefined;
      resolve();
    }
    signal.wake = done;
  });
}
