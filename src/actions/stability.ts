// The stability gate's decision (seed 000: "after ~1 week stability window post-migration"): not before
// cutover end + window, unless the operator waives it with a written reason. With minimums of the
// verification history (gate.stability min_coverage / max_red, issue 21) a history below them blocks like
// an unfinished window, and is waived the same way. Pure: times and the history are passed in.
import { describeRedPeriod, historyLine, percent, type GateHistoryRecord, type HistorySummary } from '../../checks/history.ts';
export type { GateHistoryRecord } from '../../checks/history.ts';

export interface CutoverEnd {
  at: number;
  /** Where the time came from, e.g. "journal run #3 of posta-multitenant-cutover" or "--cutover-at". */
  source: string;
}

export interface GateInput {
  /** As written in the runbook, e.g. "7d". */
  window: string;
  windowMs: number;
  cutoverEnd: CutoverEnd | null;
  now: number;
  waiver?: { who: string; reason: string } | null;
  /** The verification history since the cutover ended, and what the runbook requires of it. */
  history?: { summary: HistorySummary; minimums: StabilityMinimums } | null;
}

/** gate.stability's min_coverage ("90%") and max_red ("0"), parsed; null = not required. */
export interface StabilityMinimums {
  minCoverage: number | null;
  maxRed: number | null;
}

/** "90%" → 0.9, "0" → 0. The schema has already checked the forms; throws naming the key otherwise. */
export function parseMinimums(params: { min_coverage?: unknown; max_red?: unknown }): StabilityMinimums {
  const cov = params.min_coverage;
  const red = params.max_red;
  let minCoverage: number | null = null;
  let maxRed: number | null = null;
  if (cov !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(String(cov).trim());
    if (!m || Number(m[1]) > 100) throw new Error(`gate.stability min_coverage = "${String(cov)}": write a percentage from 0% to 100%, e.g. "90%"`);
    minCoverage = Number(m[1]) / 100;
  }
  if (red !== undefined) {
    if (!/^\d+$/.test(String(red).trim())) throw new Error(`gate.stability max_red = "${String(red)}": write a whole number of red periods, e.g. "0"`);
    maxRed = Number(String(red).trim());
  }
  return { minCoverage, maxRed };
}

/** What falls short of the minimums, in words naming the red periods; empty when the history meets them. */
export function historyShortfalls(h: HistorySummary, m: StabilityMinimums): string[] {
  const out: string[] = [];
  const checked = h.runs.green + h.runs.red;
  if ((m.minCoverage !== null || m.maxRed !== null) && checked === 0) {
    return [`no verification run could check anything since the cutover ended (cutover verify RUNBOOK --every 15m records them)`];
  }
  if (m.minCoverage !== null && h.coverage.ratio + 1e-9 < m.minCoverage) out.push(`coverage ${percent(h.coverage.ratio)} < min_coverage ${percent(m.minCoverage)}`);
  if (m.maxRed !== null && h.redPeriods.length > m.maxRed) {
    const named = h.redPeriods.slice(0, 3).map(describeRedPeriod);
    const more = h.redPeriods.length > 3 ? `; … ${h.redPeriods.length - 3} more (cutover journal RUNBOOK --verifications)` : '';
    out.push(`${h.redPeriods.length} red period${h.redPeriods.length === 1 ? '' : 's'} > max_red ${m.maxRed}: ${named.join('; ')}${more}`);
  }
  return out;
}

export function gateHistoryRecord(h: HistorySummary, m: StabilityMinimums): GateHistoryRecord {
  return {
    line: historyLine(h),
    runs: h.runs,
    coverage: h.coverage.ratio,
    greenShare: h.greenShare,
    redPeriods: h.redPeriods.map((p) => ({ identity: p.identity, check: p.check, firstSeen: p.firstSeen, lastSeen: p.lastSeen, clearedAt: p.clearedAt, said: p.said })),
    restarts: h.logsReviewed ? h.restarts.length : null,
    minCoverage: m.minCoverage,
    maxRed: m.maxRed,
    shortfalls: historyShortfalls(h, m),
  };
}

export type GateVerdict =
  | { pass: true; waived: false; earliest: number; message: string }
  | { pass: true; waived: true; earliest: number; leftMs: number; who: string; reason: string; message: string }
  | { pass: false; earliest: number | null; leftMs: number | null; message: string };

/** 6 d 23 h, 5 h 12 min, 40 min: the time left until the window opens. */
export function humanLeft(ms: number): string {
  const m = Math.max(0, Math.ceil(ms / 60_000));
  const [d, h, min] = [Math.floor(m / 1440), Math.floor((m % 1440) / 60), m % 60];
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${min} min`;
  return `${min} min`;
}

export function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function decideStabilityGate(g: GateInput): GateVerdict {
  if (!g.cutoverEnd) {
    return {
      pass: false,
      earliest: null,
      leftMs: null,
      message: `stability window ${g.window}: no recorded end of the cutover, so the window cannot start; pass --cutover-at YYYY-MM-DDTHH:MMZ if the cutover was done by hand`,
    };
  }
  const earliest = g.cutoverEnd.at + g.windowMs;
  const since = `since the cutover ended ${isoMinute(g.cutoverEnd.at)} (${g.cutoverEnd.source})`;
  const short = g.history ? historyShortfalls(g.history.summary, g.history.minimums) : [];
  const evidence = g.history && g.history.summary.runs.total ? `; verification history: ${historyLine(g.history.summary)}` : '';
  const shortText = short.length ? `the verification history is below the runbook's minimums: ${short.join('; ')}` : '';
  const reason = g.waiver?.reason.trim() ?? '';
  if (g.now >= earliest) {
    if (!short.length) return { pass: true, waived: false, earliest, message: `stability window ${g.window} passed ${since}: open since ${isoMinute(earliest)}${evidence}` };
    if (g.waiver && reason) {
      return { pass: true, waived: true, earliest, leftMs: 0, who: g.waiver.who, reason, message: `stability window ${g.window} passed ${since}, but ${shortText}; WAIVED by ${g.waiver.who}: ${reason}` };
    }
    const how = g.waiver ? 'a waiver needs a reason: --waive-window --reason "…"' : 'wait for more evidence, or waive it with --waive-window --reason "…" (recorded in the journal and the report)';
    return { pass: false, earliest, leftMs: 0, message: `stability window ${g.window} passed ${since}, but ${shortText}; ${how}` };
  }
  const leftMs = earliest - g.now;
  if (g.waiver && reason) {
    return {
      pass: true,
      waived: true,
      earliest,
      leftMs,
      who: g.waiver.who,
      reason,
      message: `stability window ${g.window} WAIVED by ${g.waiver.who} ${humanLeft(leftMs)} early (earliest ${isoMinute(earliest)})${short.length ? `, and ${shortText}` : evidence}: ${reason}`,
    };
  }
  const how = g.waiver ? 'a waiver needs a reason: --waive-window --reason "…"' : 'wait, or waive it with --waive-window --reason "…" (recorded in the journal and the report)';
  return {
    pass: false,
    earliest,
    leftMs,
    message: `stability window ${g.window} ${since}: not before ${isoMinute(earliest)} (earliest date ${new Date(earliest).toISOString().slice(0, 10)}), ${humanLeft(leftMs)} left${short.length ? `; and ${shortText}` : evidence}; ${how}`,
  };
}
