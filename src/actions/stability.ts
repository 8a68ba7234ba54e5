// The stability gate's decision (seed 000: "after ~1 week stability window post-migration"): not before
// cutover end + window, unless the operator waives it with a written reason. Pure: times are passed in.

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
  if (g.now >= earliest) {
    return { pass: true, waived: false, earliest, message: `stability window ${g.window} passed ${since}: open since ${isoMinute(earliest)}` };
  }
  const leftMs = earliest - g.now;
  const reason = g.waiver?.reason.trim() ?? '';
  if (g.waiver && reason) {
    return {
      pass: true,
      waived: true,
      earliest,
      leftMs,
      who: g.waiver.who,
      reason,
      message: `stability window ${g.window} WAIVED by ${g.waiver.who} ${humanLeft(leftMs)} early (earliest ${isoMinute(earliest)}): ${reason}`,
    };
  }
  const how = g.waiver ? 'a waiver needs a reason: --waive-window --reason "…"' : 'wait, or waive it with --waive-window --reason "…" (recorded in the journal and the report)';
  return {
    pass: false,
    earliest,
    leftMs,
    message: `stability window ${g.window} ${since}: not before ${isoMinute(earliest)} (earliest date ${new Date(earliest).toISOString().slice(0, 10)}), ${humanLeft(leftMs)} left; ${how}`,
  };
}
