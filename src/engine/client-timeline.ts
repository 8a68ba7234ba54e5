// The device timeline: one JSON line per device request, {t, identity, method, status, ms, error?}.
// Pure: parsing and the outage arithmetic that lab status and the cockpit show.

/**
 * What the rehearsal lab's devices send: a GET, no body. Hold mode's preflight relies on it (a held request
 * with a body fails on older Caddy), so it lives here, below both the lab and the preflight.
 */
export const LAB_DEVICE_METHOD = 'GET';

export interface TimelineEvent {
  /** ISO-8601 UTC time the request started. */
  t: string;
  identity: string;
  /** HTTP method of the request (timelines written before it was recorded: absent, they were GETs). */
  method?: string;
  /** HTTP status, or 0 when no HTTP answer came (refused, reset, timeout). */
  status: number;
  /** Latency in milliseconds. */
  ms: number;
  error?: string;
  /** The first attempt's failure when the device sent the request again (a reset kept-alive connection). */
  retried?: string;
}

export interface OutageWindow {
  identity: string;
  /** Time of the last success before the first failure (or the first failure when none came before). */
  start: string;
  /** Time of the first success after the failures; null while the outage is still going on. */
  end: string | null;
  ms: number;
  failures: number;
}

export interface IdentitySummary {
  requests: number;
  ok: number;
  failures: number;
  lastStatus: number | null;
  longestOutageMs: number;
}

export interface OutageOptions {
  /** Statuses that count as success (default [200]). */
  okStatuses?: number[];
  /** For a window still open at the end of the timeline: measure up to this time (epoch ms)
   *  instead of up to its last failure. */
  now?: number;
}

/** Parses JSONL; blank lines are skipped, a malformed line throws with its line number. A torn last line
 *  (the simulator may be mid-write) is ignored. */
export function parseTimeline(text: string): TimelineEvent[] {
  const lines = text.split('\n');
  const events: TimelineEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const isLast = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      if (isLast) return;
      throw new Error(`timeline line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const e = value as Partial<TimelineEvent>;
    if (typeof e.t !== 'string' || Number.isNaN(Date.parse(e.t)) || typeof e.identity !== 'string' || typeof e.status !== 'number' || typeof e.ms !== 'number') {
      throw new Error(`timeline line ${i + 1}: expected {t: ISO time, identity, status, ms}`);
    }
    events.push({ t: e.t, identity: e.identity, ...(typeof e.method === 'string' ? { method: e.method } : {}), status: e.status, ms: e.ms, ...(typeof e.error === 'string' ? { error: e.error } : {}), ...(typeof e.retried === 'string' ? { retried: e.retried } : {}) });
  });
  return events;
}

/** Runs of consecutive failures per identity, in time order. */
export function outageWindows(events: TimelineEvent[], opts: OutageOptions = {}): OutageWindow[] {
  const ok = new Set(opts.okStatuses ?? [200]);
  const windows: OutageWindow[] = [];
  for (const [identity, list] of groupByIdentity(events)) {
    let lastOk: TimelineEvent | null = null;
    let open: { start: TimelineEvent; last: TimelineEvent; failures: number } | null = null;
    for (const e of list) {
      if (ok.has(e.status)) {
        if (open) windows.push(closeWindow(identity, open.start, e.t, open.failures));
        open = null;
        lastOk = e;
      } else if (open) {
        open.failures++;
        open.last = e;
      } else {
        open = { start: lastOk ?? e, last: e, failures: 1 };
      }
    }
    if (open) {
      const endMs = opts.now ?? Date.parse(open.last.t);
      windows.push({ identity, start: open.start.t, end: null, ms: Math.max(0, endMs - Date.parse(open.start.t)), failures: open.failures });
    }
  }
  return windows.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function closeWindow(identity: string, start: TimelineEvent, end: string, failures: number): OutageWindow {
  return { identity, start: start.t, end, ms: Date.parse(end) - Date.parse(start.t), failures };
}

export function timelineSummary(events: TimelineEvent[], opts: OutageOptions = {}): Record<string, IdentitySummary> {
  const ok = new Set(opts.okStatuses ?? [200]);
  const longest = new Map<string, number>();
  for (const w of outageWindows(events, opts)) longest.set(w.identity, Math.max(longest.get(w.identity) ?? 0, w.ms));
  const summary: Record<string, IdentitySummary> = {};
  for (const [identity, list] of groupByIdentity(events)) {
    const okCount = list.filter((e) => ok.has(e.status)).length;
    summary[identity] = {
      requests: list.length,
      ok: okCount,
      failures: list.length - okCount,
      lastStatus: list.at(-1)?.status ?? null,
      longestOutageMs: longest.get(identity) ?? 0,
    };
  }
  return summary;
}

/** Events per identity in time order (file order is append order across devices, not strictly by time). */
function groupByIdentity(events: TimelineEvent[]): Map<string, TimelineEvent[]> {
  const groups = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    const list = groups.get(e.identity) ?? [];
    list.push(e);
    groups.set(e.identity, list);
  }
  for (const list of groups.values()) list.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  return groups;
}

export interface RequestFigures {
  /** Requests that started in the span. */
  requests: number;
  /** Of those, the ones that got no success status (errors, 5xx, timeouts). */
  failed: number;
  /** The longest of them, in ms (a held request is slow, not failed). */
  longestMs: number;
  /** The median latency of the requests before the span: what a request usually takes. */
  usualMs: number | null;
  /** longestMs - usualMs: what the cutover added to the slowest request. */
  addedMs: number | null;
  /** Per HTTP method: requests and failures. */
  byMethod: Record<string, { requests: number; failed: number }>;
}

/** Failed requests and added latency of the requests that started in [from, to] (epoch ms). */
export function requestFigures(events: TimelineEvent[], from: number, to: number, opts: OutageOptions = {}): RequestFigures {
  const ok = new Set(opts.okStatuses ?? [200]);
  const inSpan = events.filter((e) => {
    const t = Date.parse(e.t);
    return t >= from && t <= to;
  });
  const before = events
    .filter((e) => Date.parse(e.t) < from && ok.has(e.status))
    .sort((a, b) => Date.parse(a.t) - Date.parse(b.t))
    .slice(-60)
    .map((e) => e.ms)
    .sort((a, b) => a - b);
  const usualMs = before.length ? before[before.length >> 1]! : null;
  const longestMs = Math.max(0, ...inSpan.map((e) => e.ms));
  const byMethod: RequestFigures['byMethod'] = {};
  for (const e of inSpan) {
    const m = (byMethod[e.method ?? 'GET'] ??= { requests: 0, failed: 0 });
    m.requests++;
    if (!ok.has(e.status)) m.failed++;
  }
  return {
    requests: inSpan.length,
    failed: inSpan.filter((e) => !ok.has(e.status)).length,
    longestMs,
    usualMs,
    addedMs: usualMs === null || !inSpan.length ? null : Math.max(0, longestMs - usualMs),
    byMethod,
  };
}
