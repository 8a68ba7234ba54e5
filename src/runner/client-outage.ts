// The outage as clients saw it, from a client timeline (the rehearsal lab's devices write one), over one run's window.
import { existsSync, readFileSync } from 'node:fs';
import { clientTimelineFile } from '../paths.ts';
import { outageWindows, parseTimeline, requestFigures } from '../engine/client-timeline.ts';
import type { ClientOutage, RunRecord } from '../journal/types.ts';

/** Failures this long before the window opened or after it closed still belong to it (clock skew, retries). */
const SLACK_MS = 2_000;

export function labClientOutage(env: Record<string, string | undefined>, run: Pick<RunRecord, 'startedAt' | 'outage'>, now = Date.now()): ClientOutage | null {
  const file = clientTimelineFile(env);
  if (!file || !existsSync(file)) return null;
  const from = run.outage.startedAt ?? run.startedAt;
  const to = run.outage.endedAt ?? now;
  return clientOutageFrom(readFileSync(file, 'utf8'), from, to, now, run.startedAt);
}

/**
 * Pure: the longest client-side gap per identity among the timeline windows overlapping [from, to]; with
 * `runFrom`, also the failed requests and the slowest one of the run (runFrom to now).
 */
export function clientOutageFrom(timeline: string, from: number, to: number, now: number, runFrom?: number): ClientOutage {
  const events = parseTimeline(timeline);
  const windows = outageWindows(events, { now }).filter((w) => {
    const start = Date.parse(w.start);
    const end = w.end === null ? now : Date.parse(w.end);
    return start <= to + SLACK_MS && end >= from - SLACK_MS;
  });
  const perIdentity: Record<string, number> = {};
  for (const w of windows) perIdentity[w.identity] = Math.max(perIdentity[w.identity] ?? 0, w.ms);
  const ms = Math.max(0, ...Object.values(perIdentity));
  const starts = windows.map((w) => Date.parse(w.start));
  const ends = windows.map((w) => (w.end === null ? now : Date.parse(w.end)));
  const r = runFrom === undefined ? null : requestFigures(events, runFrom, now);
  return {
    ms,
    ...(starts.length ? { from: Math.min(...starts), to: Math.max(...ends) } : {}),
    perIdentity,
    source: 'lab device timeline',
    ...(r ? { requests: r.requests, failed: r.failed, longestMs: r.longestMs, usualMs: r.usualMs, addedMs: r.addedMs } : {}),
  };
}
