// The verification history (cutover verify --every) as a compact strip per identity: one cell per run,
// oldest left, newest right; ✓ green, ✗ red, ? cannot check (the glyph, never the colour alone). Shown at
// the top of the output pane once a history exists (watch polls the journal for it: src/cockpit/history.ts).
import type { Cell } from '../../checks/history.ts';
import type { CockpitState, HistoryStripView } from '../state/types.ts';
export type { HistoryStripView } from '../state/types.ts';
import { paneLines } from './output-pane.ts';
import { seg, truncate, type Colour, type Line } from '../text.ts';

const CELL: Record<Cell, { t: string; c: Colour }> = { green: { t: '✓', c: 'green' }, red: { t: '✗', c: 'red' }, unknown: { t: '?', c: 'yellow' } };

/** Title line and one row per identity, fitted to width; at most maxRows lines (nothing below 2). */
export function historyStripLines(view: HistoryStripView, width: number, maxRows: number): Line[] {
  if (maxRows < 2 || width < 12) return [];
  const label = Math.min(12, Math.max(4, ...view.rows.map((r) => r.identity.length)));
  const room = Math.max(1, width - label - 2);
  const rows = view.rows.slice(0, maxRows - 1).map((r): Line => {
    const cells = r.cells.slice(-room);
    return [seg(`${truncate(r.identity, label).padEnd(label)} ${r.cells.length > room ? '…' : ' '}`, { c: 'gray' }), ...cells.map((c) => seg(CELL[c].t, { c: CELL[c].c }))];
  });
  return [[seg(truncate(`History · ${view.line}`, width), { c: 'cyan' })], ...rows];
}

/** The output pane with the history strip above it (the pane keeps at least 3 rows). */
export function paneWithHistory(state: CockpitState, rows: number, width: number): Line[] {
  const strip = state.history ? historyStripLines(state.history, width, Math.min(state.history.rows.length + 1, rows - 3)) : [];
  return [...strip, ...paneLines(state, rows - strip.length, width)];
}
