// gate.stability: the decommission (seed 000) waits until the cutover end + window has passed, unless a waiver
// with a reason is given and journaled; the verification history's minimums can block it too.
import { z } from 'zod';
import { duration, slug } from '../runbook/schema.ts';
import { str } from '../runbook/plan-text.ts';
import type { ActionContext, Action, DecommissionInputs } from './types.ts';
import { ActionError } from './types.ts';
import { parseDuration } from '../engine/duration.ts';
import { decideStabilityGate, gateHistoryRecord, parseMinimums, type GateHistoryRecord, type StabilityMinimums } from './stability.ts';
import { describeRedPeriod, historyLine, renderStrips, summarizeHistory } from '../../checks/history.ts';
import type { StabilityGate } from '../journal/events.ts';

/** The `since` of the runbook's stability gate: whose cutover end starts the window. */
export function gateSince(ctx: Pick<ActionContext, 'runbook'>): { since: string | undefined; window: string } {
  const gate = ctx.runbook.steps.find((s) => s.action === 'gate.stability') as { since?: unknown; window?: unknown } | undefined;
  return { since: typeof gate?.since === 'string' ? gate.since : undefined, window: typeof gate?.window === 'string' ? gate.window : '7d' };
}

/** The verification history the gate shows and judges (with the runbook's minimums), when there is one. */
async function gateHistory(params: Record<string, unknown>, inputs: DecommissionInputs, since: string | undefined, from: number | null, now: number) {
  let minimums: StabilityMinimums;
  try {
    minimums = parseMinimums(params);
  } catch (err) {
    throw new ActionError((err as Error).message);
  }
  const required = minimums.minCoverage !== null || minimums.maxRed !== null;
  if (from === null) return null;
  const summary = (inputs.verificationHistory ? await inputs.verificationHistory(since, from, now) : null) ?? (required ? summarizeHistory([], { from, to: now }) : null);
  if (!summary || (!summary.runs.total && !required)) return null;
  const lines = [`verification history since the cutover ended: ${historyLine(summary)}`, ...renderStrips(summary.strips, 100).map((l) => `  ${l}`), ...summary.redPeriods.slice(0, 5).map((p) => `  ✗ ${describeRedPeriod(p)}`)];
  return { lines, input: { summary, minimums }, record: gateHistoryRecord(summary, minimums) };
}

export const gateStability: Action = {
  params: z.strictObject({
    window: duration.default('7d'),
    /** Runbook whose recorded cutover end starts the window (e.g. the cutover this decommission follows); default this one. */
    since: slug.optional(),
    /** Minimums of the verification history (cutover verify --every) below which the gate blocks: "90%", "0". */
    min_coverage: z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage, e.g. "90%"').optional(),
    max_red: z.string().regex(/^\d+$/, 'a whole number of red periods, e.g. "0"').optional(),
  }),
  example: { window: '7d' },
  doc: {
    keys: '`window` (`7d`), `since` (this runbook), `min_coverage` (e.g. `"90%"`), `max_red` (e.g. `"0"`)',
    does: 'blocks until the recorded cutover end + window, unless waived with a reason (`--waive-window --reason`); shows the verification history since the cutover ended (`cutover verify --every`); with `min_coverage` (share of the time since the cutover ended covered by runs that could check) or `max_red` (red periods: consecutive red runs of one identity × check) a history below them blocks like an unfinished window and is waived the same way',
  },
  plan: (p) => [`wait until ${str(p, 'window')} have passed since the recorded end of ${p.since ? `runbook ${str(p, 'since')}` : 'this cutover'} (or record a waiver with its reason)`],
  undo: { kind: 'none', reason: 'a gate: it changes nothing (a waiver is journaled)' },
  preflight: { none: 'the gate itself is the check: it reads the journal when it runs' },
  cockpit: { bindings: ['waive'], failed: { hint: 'w waives the window with a typed reason (journaled), or wait.' } },
  onceOnly: true,
  readOnly: true,
  async run(step, ctx) {
    const window = typeof step.params.window === 'string' ? step.params.window : '7d';
    const since = typeof step.params.since === 'string' ? step.params.since : undefined;
    const inputs = ctx.decommission;
    if (!inputs) throw new ActionError(`${step.key}: this driver cannot tell when the cutover ended, so the stability window stays closed`);
    const cutoverEnd = await inputs.cutoverEnd(since);
    const now = ctx.now();
    const history = await gateHistory(step.params, inputs, since, cutoverEnd?.at ?? null, now);
    for (const line of history?.lines ?? []) ctx.emit({ kind: 'output', line });
    const v = decideStabilityGate({ window, windowMs: parseDuration(window), cutoverEnd, now, waiver: inputs.waiver ?? null, history: history?.input ?? null });
    ctx.emit({ kind: 'output', line: v.message });
    if (!v.pass) throw new ActionError(v.message);
    const changed: StabilityGate & { cutoverEnd: number; cutoverEndSource: string; history?: GateHistoryRecord } = { window, earliest: v.earliest, cutoverEnd: cutoverEnd!.at, cutoverEndSource: cutoverEnd!.source };
    if (history?.record) changed.history = history.record;
    if (v.waived) {
      inputs.recordWaiver({ gate: 'stability', who: v.who, reason: v.reason, at: now });
      changed.waived = { who: v.who, reason: v.reason, at: now };
    }
    return { summary: v.message, changed: changed as unknown as Record<string, unknown> };
  },
};
