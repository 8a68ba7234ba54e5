// The pane beside the runbook: for the selected step, what failed (and the auto-revert outcome), then its
// streaming output tail; before it has output, a preview of its diff.
import { selectedStep } from '../state/selectors.ts';
import type { CockpitState } from '../state/types.ts';
import { printable, seg, wrapLines, wrapText, type Line } from '../text.ts';
import { diffLines } from './diff-lines.ts';
import { failedHint } from '../state/reducer.ts';

export function paneTitle(state: CockpitState): string {
  const v = selectedStep(state);
  if (!v) return 'Output';
  if (!v.output.length && v.diff) return `Diff · ${v.step.key}`;
  return `Output · ${v.step.key}`;
}

export function paneLines(state: CockpitState, rows: number, width = Infinity): Line[] {
  const v = selectedStep(state);
  if (!v) return [[seg('no steps', { c: 'gray' })]];
  const head: Line[] = [];
  if (v.state === 'failed') {
    // Wrapped, up to 4 lines: a blocked gate's earliest date and time left must be readable.
    const wrapped = wrapText(`✗ failed: ${v.error ?? 'see output'}`, width).slice(0, 4);
    wrapped.forEach((l, i) => head.push(i === 0 ? [seg('✗ failed: ', { c: 'red', b: true }), seg(l.slice('✗ failed: '.length), { c: 'red' })] : [seg(l, { c: 'red' })]));
    const hint = failedHint(state, v.step.action, v.failureCode);
    // A blocked gate changed nothing: no revert to speak of.
    if (v.revert || !hint.gate) head.push(v.revert ? [seg('↺ auto-revert: ', { c: 'magenta' }), seg(v.revert)] : [seg('↺ no automatic revert', { c: 'gray' })]);
    head.push([seg(hint.text, { c: 'gray' })]);
  }
  if (v.state === 'skipped' && v.skipReason) head.push([seg(`↷ skipped: ${v.skipReason}`, { c: 'yellow' })]);
  const room = Math.max(0, rows - head.length);
  // Wrapped, not cut: the tail of the output with every command's full argv readable.
  if (v.output.length) return [...head, ...wrapLines(v.output.slice(-room).map((l) => [seg(printable(l))]), width).slice(-room)];
  if (v.diff) return [...head, ...diffLines(v.diff).slice(0, room)];
  const hint = v.state === 'pending' ? 'pending · enter runs the next step' : 'no output';
  return [...head, [seg(hint, { c: 'gray' })]];
}
