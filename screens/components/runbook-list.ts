// The runbook list: one line per step (state glyph, number, title, destructive mark), windowed around the selection.
import type { CockpitState } from '../state/types.ts';
import { fitLine, padStart, seg, windowAround, type Line } from '../text.ts';
import { stateSeg } from './glyphs.ts';

export function runbookLines(state: CockpitState, width: number, rows: number): Line[] {
  const { start, end } = windowAround(state.steps.length, state.selected, rows);
  const digits = String(state.steps.length).length;
  const lines: Line[] = [];
  for (let i = start; i < end; i++) {
    const v = state.steps[i]!;
    const selected = i === state.selected;
    const mark = v.step.irreversible ? seg('!! ', { c: 'red', b: true }) : v.step.destructive ? seg('! ', { c: 'red', b: true }) : seg('  ');
    const row = fitLine(
      [seg(selected ? '›' : ' ', { b: true }), stateSeg(v.state), seg(` ${padStart(String(i + 1), digits)} `), mark, seg(v.step.title, { b: v.state === 'running' })],
      width,
    );
    lines.push(selected ? row.map((s) => ({ ...s, inv: true })) : row);
  }
  return lines;
}
