// The verification history over the stability window (issue 21): what scheduled `cutover verify` runs saw,
// aggregated for `journal --verifications`, the stability gate, `review` and the cockpit's strip. Pure:
// runs come in as data (src/journal/verifications.ts reads and writes them), times are passed in.
import type { Criterion } from './verify.ts';
import type { SnapshotResult } from './snapshot.ts';

/** One smoke probe of one run: identity × check × vantage. */
export interface CheckObservation {
  identity: string;
  check: string;
  vantage: string;
  ok: boolean | null;
  status: number | null;
  latencyMs: number | null;
  /** What it said: the verdict's reason when red, else what came back. */
  said: string;
}

/** One device token of one run. */
export interface TokenObservation {
  identity: string;
  device: string;
  ok: boolean | null;
  lastSeenAt: string | null;
  said: string;
}

/** One of verify's criteria (target running, smoke, tokens, proxy, legacy kept) in one run. */
export interface CriterionObservation {
  id: string;
  ok: boolean | null;
  said: string;
}

/** A daemon restart (a start without a clean stop before it) the log review saw. */
export interface RestartSeen {
  at: number | null;
  line: string;
}

/** One verification run as recorded: ok null = "cannot check" (lab or host unreachable, panel unreadable). */
export interface VerificationRun {
  id: number;
  runbook: string;
  at: number;
  durationMs: number;
  /** The schedule's period this run stands for (--every); coverage counts it. */
  intervalMs: number;
  ok: boolean | null;
  /** Why it could not check (null when it could). */
  error: string | null;
  phase: string | null;
  criteria: CriterionObservation[];
  checks: CheckObservation[];
  tokens: TokenObservation[];
  /** Unexpected restarts in the daemon's logs since the cutover ended; null when no log review was made. */
  restarts: RestartSeen[] | null;
}

export type NewVerificationRun = Omit<VerificationRun, 'id'>;

/** What one verify result (criteria over an after-phase snapshot) records. */
export function observe(criteria: readonly Criterion[], s: SnapshotResult): Pick<VerificationRun, 'ok' | 'error' | 'phase' | 'criteria' | 'checks' | 'tokens'> {
  const oks = criteria.map((c) => c.ok);
  // Without the runtime (host or lab unreachable) nothing can be tied to a container: whatever else came
  // back (a proxy dial no longer known as the target's) is no finding about the service, so no verdict.
  const unreachable = s.containers.error !== undefined;
  const ok = unreachable ? null : oks.some((o) => o === false) ? false : oks.some((o) => o === null) ? null : true;
  const byError = new Map<string, string[]>();
  for (const p of [s.containers, s.upstreams, s.smoke, s.tokens]) if (p.error) byError.set(p.error, [...(byError.get(p.error) ?? []), p.panel]);
  const errors = [...byError].map(([error, panels]) => `${panels.join(', ')}: ${error}`);
  const unknown = criteria.filter((c) => c.ok === null).map((c) => `${c.id}: ${c.actual}`);
  return {
    ok,
    error: ok === null ? (errors.length ? errors : unknown).join('; ') || 'cannot check' : null,
    phase: s.phase,
    criteria: criteria.map((c) => ({ id: c.id, ok: c.ok, said: c.ok === false ? (c.why ?? c.actual) : c.actual })),
    checks: s.smoke.items.map((i) => ({
      identity: i.identity,
      check: i.check,
      vantage: i.vantage,
      ok: i.ok,
      status: i.status,
      latencyMs: i.timeMs,
      said: i.ok === true ? i.actual : (i.why ?? i.error ?? i.actual),
    })),
    tokens: s.tokens.items.map((t) => ({ identity: t.identity, device: t.device, ok: t.ok, lastSeenAt: t.lastSeenAt, said: t.ok === true ? t.actual : (t.why ?? t.actual) })),
  };
}

/** A run that could not check at all: the lab or host was unreachable, or verify itself failed. */
export function cannotCheck(error: string): Pick<VerificationRun, 'ok' | 'error' | 'phase' | 'criteria' | 'checks' | 'tokens'> {
  return { ok: null, error, phase: null, criteria: [], checks: [], tokens: [] };
}

// ── aggregation ──────────────────────────────────────────────────────────────────────────────────────

export interface RedPeriod {
  /** The identity's slug, or "—" for a host-wide criterion (target running, proxy, legacy kept). */
  identity: string;
  /** e.g. "actor (public)", "token phone", "proxy". */
  check: string;
  firstSeen: number;
  lastSeen: number;
  /** The first green run after it; null while it is still red at the last run that could check it. */
  clearedAt: number | null;
  runs: number;
  said: string;
  lastSaid: string;
  /** Other reasons it gave in between (distinct, in order, at most 5): a refusal, then a timeout, then a
   *  refusal again must not read as refusals only. */
  alsoSaid: string[];
}

export interface LatencyFigures {
  identity: string;
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface TokenProgress {
  identity: string;
  device: string;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  /** Runs in which last_seen_at moved forward. */
  advances: number;
  /** When (run time) it last moved forward. */
  lastAdvancedAt: number | null;
}

export type Cell = 'green' | 'red' | 'unknown';

export interface StripRow {
  identity: string;
  cells: { at: number; cell: Cell }[];
}

export interface HistorySummary {
  from: number;
  to: number;
  runs: { total: number; green: number; red: number; cannotCheck: number };
  /** Green runs over runs that could check; null without any. */
  greenShare: number | null;
  coverage: { ratio: number; coveredMs: number; spanMs: number; gaps: { from: number; to: number }[] };
  redPeriods: RedPeriod[];
  latency: LatencyFigures[];
  tokens: TokenProgress[];
  restarts: RestartSeen[];
  /** Whether any run reviewed the daemon's logs. */
  logsReviewed: boolean;
  /** Consecutive "cannot check" runs, with what the first one said. */
  cannotCheck: { from: number; to: number; runs: number; error: string }[];
  strips: StripRow[];
}

/** A run covers the period it stands for (its interval) with 10% slack for timer lateness. */
export const COVER_SLACK = 0.1;
const HOST = '—';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Covered time of [from, to] by runs that could check; gaps longest first. */
export function coverage(runs: readonly Pick<VerificationRun, 'at' | 'intervalMs' | 'ok'>[], from: number, to: number): HistorySummary['coverage'] {
  const spanMs = Math.max(0, to - from);
  const spans = runs
    .filter((r) => r.ok !== null)
    .map((r) => [Math.max(from, r.at), Math.min(to, r.at + Math.round(r.intervalMs * (1 + COVER_SLACK)))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  const gaps: { from: number; to: number }[] = [];
  let cursor = from;
  for (const [a, b] of spans) {
    if (a > cursor) gaps.push({ from: cursor, to: a });
    if (b > cursor) {
      covered += b - Math.max(a, cursor);
      cursor = b;
    }
  }
  if (to > cursor) gaps.push({ from: cursor, to });
  gaps.sort((x, y) => y.to - y.from - (x.to - x.from) || x.from - y.from);
  return { ratio: spanMs === 0 ? (covered > 0 ? 1 : 0) : covered / spanMs, coveredMs: covered, spanMs, gaps };
}

interface KeyedObservation {
  identity: string;
  check: string;
  ok: boolean | null;
  said: string;
}

/** Everything one run judged, keyed by identity and check (criteria explained by their items are left out). */
function keyed(r: VerificationRun): KeyedObservation[] {
  const out: KeyedObservation[] = [];
  for (const c of r.checks) out.push({ identity: c.identity, check: `${c.check} (${c.vantage})`, ok: c.ok, said: c.said });
  for (const t of r.tokens) out.push({ identity: t.identity, check: `token ${t.device}`, ok: t.ok, said: t.said });
  const explained = { smoke: r.checks.some((c) => c.ok === false), tokens: r.tokens.some((t) => t.ok === false) };
  for (const c of r.criteria) {
    // A red smoke or tokens criterion whose items are red is already told per identity.
    if ((c.id === 'smoke' || c.id === 'tokens') && explained[c.id]) continue;
    out.push({ identity: HOST, check: c.id, ok: c.ok, said: c.said });
  }
  return out;
}

/** Red periods per identity × check: consecutive red runs; a green run ends one, "cannot check" does not. */
export function redPeriods(runs: readonly VerificationRun[]): RedPeriod[] {
  const open = new Map<string, RedPeriod>();
  const done: RedPeriod[] = [];
  for (const r of [...runs].sort((a, b) => a.at - b.at || a.id - b.id)) {
    if (r.ok === null) continue; // "cannot check" neither ends nor extends a red period
    for (const o of keyed(r)) {
      const k = `${o.identity}\u0000${o.check}`;
      const p = open.get(k);
      if (o.ok === false) {
        if (p) {
          p.lastSeen = r.at;
          p.runs++;
          if (p.lastSaid !== p.said && p.lastSaid !== o.said && !p.alsoSaid.includes(p.lastSaid) && p.alsoSaid.length < 5) p.alsoSaid.push(p.lastSaid);
          p.lastSaid = o.said;
        } else open.set(k, { identity: o.identity, check: o.check, firstSeen: r.at, lastSeen: r.at, clearedAt: null, runs: 1, said: o.said, lastSaid: o.said, alsoSaid: [] });
      } else if (o.ok === true && p) {
        p.clearedAt = r.at;
        done.push(p);
        open.delete(k);
      }
    }
  }
  const periods = [...done, ...open.values()];
  for (const p of periods) p.alsoSaid = p.alsoSaid.filter((x) => x !== p.said && x !== p.lastSaid);
  return periods.sort((a, b) => a.firstSeen - b.firstSeen || a.identity.localeCompare(b.identity) || a.check.localeCompare(b.check));
}

/** One cell per run for an identity: red if any of its checks or tokens was red, green if all were green. */
function cellOf(r: VerificationRun, identity: string): Cell {
  if (r.ok === null) return 'unknown';
  if (identity === HOST) {
    const hostwide = keyed(r).filter((o) => o.identity === HOST);
    if (!hostwide.length) return 'unknown';
    return hostwide.some((o) => o.ok === false) ? 'red' : hostwide.every((o) => o.ok === true) ? 'green' : 'unknown';
  }
  const mine = [...r.checks.filter((c) => c.identity === identity), ...r.tokens.filter((t) => t.identity === identity)];
  if (!mine.length) return 'unknown';
  if (mine.some((o) => o.ok === false)) return 'red';
  return mine.every((o) => o.ok === true) ? 'green' : 'unknown';
}

/** Rows per identity (in `identities` order, then any others seen), plus a host-wide row "—". */
export function strips(runs: readonly VerificationRun[], identities: readonly string[] = []): StripRow[] {
  const sorted = [...runs].sort((a, b) => a.at - b.at || a.id - b.id);
  const seen = new Set<string>(identities);
  for (const r of sorted) for (const o of [...r.checks, ...r.tokens]) seen.add(o.identity);
  return [...seen, HOST].map((identity) => ({ identity, cells: sorted.map((r) => ({ at: r.at, cell: cellOf(r, identity) })) }));
}

function latency(runs: readonly VerificationRun[]): LatencyFigures[] {
  const by = new Map<string, number[]>();
  for (const r of runs) for (const c of r.checks) if (c.latencyMs !== null) by.set(c.identity, [...(by.get(c.identity) ?? []), c.latencyMs]);
  return [...by].map(([identity, values]) => {
    const s = [...values].sort((a, b) => a - b);
    return { identity, n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? null };
  });
}

function tokenProgress(runs: readonly VerificationRun[]): TokenProgress[] {
  const by = new Map<string, TokenProgress>();
  for (const r of [...runs].sort((a, b) => a.at - b.at)) {
    for (const t of r.tokens) {
      const k = `${t.identity}\u0000${t.device}`;
      const p = by.get(k);
      if (!p) {
        by.set(k, { identity: t.identity, device: t.device, firstSeenAt: t.lastSeenAt, lastSeenAt: t.lastSeenAt, advances: 0, lastAdvancedAt: null });
      } else if (t.lastSeenAt !== null && (p.lastSeenAt === null || Date.parse(t.lastSeenAt) > Date.parse(p.lastSeenAt))) {
        p.lastSeenAt = t.lastSeenAt;
        p.firstSeenAt ??= t.lastSeenAt;
        p.advances++;
        p.lastAdvancedAt = r.at;
      }
    }
  }
  return [...by.values()];
}

function restarts(runs: readonly VerificationRun[], from: number, to: number): RestartSeen[] {
  const seen = new Map<string, RestartSeen>();
  for (const r of runs) for (const x of r.restarts ?? []) if (x.at === null || (x.at >= from && x.at <= to)) seen.set(`${x.at}\u0000${x.line}`, x);
  return [...seen.values()].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

function cannotCheckSpans(runs: readonly VerificationRun[]): HistorySummary['cannotCheck'] {
  const out: HistorySummary['cannotCheck'] = [];
  let cur: HistorySummary['cannotCheck'][number] | null = null;
  for (const r of runs) {
    if (r.ok !== null) cur = null;
    else if (cur) (cur.to = r.at), cur.runs++;
    else out.push((cur = { from: r.at, to: r.at, runs: 1, error: r.error ?? 'cannot check' }));
  }
  return out;
}

/** The history of [from, to]: runs inside it, what they saw, and how much of it they covered. */
export function summarizeHistory(all: readonly VerificationRun[], opts: { from: number; to: number; identities?: readonly string[] }): HistorySummary {
  const runs = all.filter((r) => r.at >= opts.from && r.at <= opts.to).sort((a, b) => a.at - b.at || a.id - b.id);
  const green = runs.filter((r) => r.ok === true).length;
  const red = runs.filter((r) => r.ok === false).length;
  return {
    from: opts.from,
    to: opts.to,
    runs: { total: runs.length, green, red, cannotCheck: runs.length - green - red },
    greenShare: green + red ? green / (green + red) : null,
    coverage: coverage(runs, opts.from, opts.to),
    redPeriods: redPeriods(runs),
    latency: latency(runs),
    tokens: tokenProgress(runs),
    restarts: restarts(runs, opts.from, opts.to),
    logsReviewed: runs.some((r) => r.restarts !== null),
    cannotCheck: cannotCheckSpans(runs),
    strips: strips(runs, opts.identities),
  };
}

// ── words ────────────────────────────────────────────────────────────────────────────────────────────

export const CELL_GLYPH: Record<Cell, string> = { green: '✓', red: '✗', unknown: '?' };

export function percent(ratio: number | null): string {
  if (ratio === null) return 'n/a';
  const p = ratio * 100;
  const whole = Math.abs(p - Math.round(p)) < 0.05 && !(p > 99 && p < 100);
  return `${whole ? Math.round(p) : Math.floor(p * 10) / 10}%`;
}

/** "42 runs (40 green, 1 red, 1 cannot check), coverage 97.5%, green 97.6%, 1 red period". */
export function historyLine(h: HistorySummary): string {
  const r = h.runs;
  if (!r.total) return 'no verification runs recorded (cutover verify RUNBOOK --every 15m)';
  return `${r.total} run${r.total === 1 ? '' : 's'} (${r.green} green, ${r.red} red, ${r.cannotCheck} cannot check), coverage ${percent(h.coverage.ratio)}, green ${percent(h.greenShare)}, ${h.redPeriods.length} red period${h.redPeriods.length === 1 ? '' : 's'}`;
}

/** "arne actor (public) 06:10:05Z–06:10:35Z (7 runs, cleared 06:10:40Z): status 502 …" */
export function describeRedPeriod(p: RedPeriod): string {
  const t = (ms: number) => new Date(ms).toISOString().slice(11, 19) + 'Z';
  const day = new Date(p.firstSeen).toISOString().slice(0, 10);
  const end = p.clearedAt === null ? 'still red' : `cleared ${t(p.clearedAt)}`;
  const also = p.alsoSaid.length ? `; also: ${p.alsoSaid.join('; ')}` : '';
  const last = p.lastSaid !== p.said ? `; last: ${p.lastSaid}` : '';
  return `${p.identity} ${p.check} ${day} ${t(p.firstSeen)}–${t(p.lastSeen)} (${p.runs} run${p.runs === 1 ? '' : 's'}, ${end}): ${p.said}${also}${last}`;
}

/** One text row per identity: "arne    ✓✓✗✗✓?✓", the newest cells that fit in `width`. */
export function renderStrips(rows: readonly StripRow[], width = 80): string[] {
  const label = Math.min(16, Math.max(4, ...rows.map((r) => r.identity.length)));
  const room = Math.max(1, width - label - 4);
  return rows.map((r) => {
    const cells = r.cells.slice(-room).map((c) => CELL_GLYPH[c.cell]).join('');
    const cut = r.cells.length > room ? '…' : ' ';
    return `${r.identity.slice(0, label).padEnd(label)} ${cut}${cells}`;
  });
}

/** The figures the gate decided on, as journaled with its step (and quoted by the report). */
export interface GateHistoryRecord {
  line: string;
  runs: HistorySummary['runs'];
  coverage: number;
  greenShare: number | null;
  redPeriods: { identity: string; check: string; firstSeen: number; lastSeen: number; clearedAt: number | null; said: string }[];
  restarts: number | null;
  minCoverage: number | null;
  maxRed: number | null;
  shortfalls: string[];
}

/** For the report: "42 runs (…), coverage 97.5% (minimum 90%), 0 red periods (at most 0)". */
export function describeGateHistory(g: GateHistoryRecord): string {
  const mins = [g.minCoverage !== null ? `min_coverage ${percent(g.minCoverage)}` : null, g.maxRed !== null ? `max_red ${g.maxRed}` : null].filter(Boolean).join(', ');
  const restarts = g.restarts === null ? '' : `, ${g.restarts} unexpected daemon restart${g.restarts === 1 ? '' : 's'} in the log`;
  return `${g.line}${restarts}${mins ? `; required: ${mins}` : ''}`;
}
