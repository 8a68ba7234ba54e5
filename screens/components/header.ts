// The header, drawn into the frame's top border: runbook, step n/N + title, outage clock vs budget,
// driver and lock (read-only: who drives).
import { budgetLevel, nextStepIndex, outageElapsed, runningStep, undoneCount } from '../state/selectors.ts';
import type { CockpitState } from '../state/types.ts';
import { lineWidth, seg, textWidth, truncate, type Line, type Seg } from '../text.ts';
import { clock } from './glyphs.ts';

/** The outage clock vs its budget; past half: "!" and amber, past the budget: "✗ … OVER" and red. */
export function outageSeg(state: CockpitState, short = false): Seg {
  const budget = clock(state.clock.budgetMs);
  const elapsed = outageElapsed(state);
  const word = short ? 'out' : 'outage';
  const slash = short ? '/' : ' / ';
  if (elapsed === null) return seg(`${word} --:--${slash}${budget}`, { c: 'gray' });
  const level = budgetLevel(elapsed, state.clock.budgetMs);
  const closed = state.clock.closedAt !== null;
  const text = `${word} ${clock(elapsed)}${slash}${budget}`;
  if (level === 'red') return seg(`✗ ${text} OVER${closed ? ' closed' : ''}`, { c: 'red', b: true });
  if (level === 'amber') return seg(`! ${text}${closed ? ' closed' : short ? '' : ' past half'}`, { c: 'yellow', b: true });
  return seg(closed ? `✓ ${text} closed` : text, { c: closed ? 'green' : undefined });
}

const WORLD_FIRST = new Set(['after', 'rolling-back', 'rolled-back', 'decommissioned']);

/** The world's state in a few words: "decommissioned (run #4)", "cut over (run #2)". */
function worldWords(w: { kind: string; runId?: number }): string {
  const words: Record<string, string> = { after: 'cut over', 'rolling-back': 'rolling back', 'rolled-back': 'rolled back', decommissioned: 'decommissioned' };
  return `${words[w.kind] ?? w.kind}${w.runId !== undefined ? ` (run #${w.runId})` : ''}`;
}

function stepSegs(state: CockpitState): { counter: string; title: string } {
  const n = state.steps.length;
  const running = runningStep(state);
  // Rolling back and rolled back are states of their own: never "done n/n".
  // The driver knows when its rollback runs; a follower (watch) learns it from the journal's state of the world.
  const rollingBack = state.rollingBack || (state.readOnly && state.snapshot?.world?.kind === 'rolling-back');
  if (rollingBack) return { counter: `rolling back (${state.steps.filter((s) => s.state === 'rolled-back').length} undone)`, title: 'undoing the steps, newest first' };
  const undone = undoneCount(state);
  if (undone) return { counter: `rolled back (${undone} undone)`, title: 'legacy path serves' };
  const idx = running ? state.steps.indexOf(running) : nextStepIndex(state);
  if (idx < 0) return { counter: `done ${n}/${n}`, title: '' };
  const step = state.steps[idx]!.step;
  // A plan nothing of which ran yet, on a world the journal says a run already changed (cut over, rolled back,
  // decommissioned, a rollback running elsewhere): the world's state first, then what enter would run.
  const world = state.snapshot?.world;
  if (world && WORLD_FIRST.has(world.kind) && state.steps.every((s) => s.state === 'pending')) return { counter: `${worldWords(world)} · next ${idx + 1}/${n}`, title: step.title };
  return { counter: `step ${idx + 1}/${n}`, title: step.title };
}

function driverSegs(state: CockpitState, short: boolean): Seg[] {
  const { name, lock, detail } = state.driver;
  if (state.readOnly) return [seg(`${short ? 'RO' : 'READ-ONLY'} · ${name} drives`, { c: 'yellow', b: true })];
  const lockSeg = lock === 'held' ? seg('lock held', { c: 'green' }) : lock === 'stale' ? seg('! lock stale', { c: 'yellow', b: true }) : seg(`lock ${lock}`, { c: 'gray' });
  if (short) return [seg(`${name} `), lockSeg];
  return [seg(`driver: ${name} `), lockSeg, ...(detail ? [seg(` ${detail}`, { c: 'gray' })] : [])];
}

/** The header's content for `width` columns: short words when narrow; the step title gives way first, then the
 * runbook name, so the outage clock and who drives always stay visible. */
export function headerLine(state: CockpitState, width: number): Line {
  const { counter, title } = stepSegs(state);
  const build = (short: boolean, name: string): Line => {
    const sep = seg(short ? ' · ' : ' ─ ', { c: 'gray' });
    return [seg(name, { b: true }), sep, seg(short ? counter.replace('step ', '') : counter), seg(''), sep, outageSeg(state, short), sep, ...driverSegs(state, short)];
  };
  const name = state.runbook.name;
  const long = build(false, name);
  let line = lineWidth(long) + 8 <= width ? long : build(true, name);
  const over = lineWidth(line) - width;
  if (over > 0) line = build(true, truncate(name, Math.max(8, textWidth(name) - over)));
  const room = width - lineWidth(line) - 1;
  if (room >= 8 && title) line[3] = seg(` ${truncate(title, room)}`, { c: 'cyan' });
  return line;
}
