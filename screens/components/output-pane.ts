// The pane beside the runbook: for the selected step, what failed (and the auto-revert outcome), then its
// streaming output tail; before it has output, a preview of its diff.
import { selectedStep } from '../state/selectors.ts';
import type { CockpitState } from '../state/types.ts';
import { printable, seg, type Line } from '../text.ts';
import { diffLines } from './diff-lines.ts';

export function paneTitle(state: CockpitState): string {
  const v = selectedStep(state);
  if (!v) return 'Output';
  if (!v.output.length && v.diff) return `Diff · ${v.step.key}`;
  return `Output · ${v.step.key}`;
}

export function paneLines(state: CockpitState, rows: number): Line[] {
  const v = selectedStep(state);
  if (!v) return [[seg('no steps', { c: 'gray' })]];
  const head: Line[] = [];
  if (v.state === 'failed') {
    head.push([seg('✗ failed: ', { c: 'red', b: true }), seg(v.error ?? 'see output', { c: 'red' })]);
    head.push(v.revert ? [seg('↺ auto-revert: ', { c: 'magenta' }), seg(v.revert)] : [seg('↺ no automatic revert', { c: 'gray' })]);
    head.push([seg('r shows the rollback plan', { c: 'gray' })]);
  }
  if (v.state === 'skipped' && v.skipReason) head.push([seg(`↷ skipped: ${v.skipReason}`, { c: 'yellow' })]);
  const room = Math.max(0, rows - head.length);
  if (v.output.length) return [...head, ...v.output.slice(-room).map((l) => [seg(printable(l))])];
  if (v.diff) return [...head, ...diffLines(v.diff).slice(0, room)];
  const hint = v.state === 'pending' ? 'pending · enter runs the next step' : 'no output';
  return [...head, [seg(hint, { c: 'gray' })]];
}
