// The whole frame as lines, from the state and the terminal size. Pure: the Cockpit renders these lines,
// tests read them directly. Every line is exactly `columns` wide and there are at most rows-1 of them.
import { PANEL_TITLE, panelKey } from './components/panels/common.ts';
import { focusLines, panelColumns, panelSummaries } from './components/panels/index.ts';
import { footerLine } from './components/footer.ts';
import { headerLine } from './components/header.ts';
import { isScrollOverlay, overlayContent, overlayTitle, prompt, scrolled } from './components/overlays.ts';
import { paneTitle } from './components/output-pane.ts';
import { paneWithHistory } from './components/history-strip.ts';
import { runbookLines } from './components/runbook-list.ts';
import { COMPACT_MIN, computeLayout, type Layout } from './layout.ts';
import { nextStepIndex, selectedStep } from './state/selectors.ts';
import type { CockpitState } from './state/types.ts';
import { fitLine, fitWithTail, hcat, lineWidth, seg, truncate, type Line, type Seg } from './text.ts';

const EDGE = { c: 'gray' } as const;
const V: Seg = seg('│', EDGE);

/** A border row: corner, content with a space either side, filled with ─ to the other corner. */
function borderRow(left: string, content: Line, right: string, columns: number): Line {
  const room = columns - 4;
  const body = lineWidth(content) > room ? fitLine(content, room) : content;
  const fill = Math.max(0, columns - 2 - lineWidth(body) - 2);
  return [seg(`${left} `, EDGE), ...body, seg(` ${'─'.repeat(fill)}${right}`, EDGE)];
}

function boxed(line: Line, inner: number): Line {
  return [V, ...fitLine(line, inner), V];
}

/** "├─ Runbook ───┬─ Output ──┤" with ┴ where panel columns end above and ┬ where the body splits. */
function separatorRow(inner: number, titles: { at: number; text: string }[], downs: number[], ups: number[]): Line {
  const chars = Array.from('─'.repeat(inner));
  for (const p of ups) if (p >= 0 && p < inner) chars[p] = '┴';
  for (const p of downs) if (p >= 0 && p < inner) chars[p] = chars[p] === '┴' ? '┼' : '┬';
  const line: Line = [seg('├', EDGE)];
  let pos = 0;
  for (const t of [...titles].sort((a, b) => a.at - b.at)) {
    const end = Math.min(inner, titles.find((o) => o.at > t.at)?.at ?? inner);
    const text = ` ${truncate(t.text, Math.max(0, end - t.at - 4))} `;
    if (t.at + 1 > end || text.length <= 2) continue;
    line.push(seg(chars.slice(pos, t.at + 1).join(''), EDGE), seg(text, { b: true }));
    pos = t.at + 1 + Array.from(text).length;
  }
  line.push(seg(chars.slice(pos).join(''), EDGE), seg('┤', EDGE));
  return line;
}

function runbookTitle(state: CockpitState): string {
  const done = state.steps.filter((s) => s.state === 'succeeded' || s.state === 'skipped').length;
  return `Runbook ${done}/${state.steps.length} done`;
}

function body(state: CockpitState, L: Layout, ups: number[]): Line[] {
  const sep = separatorRow(L.inner, [{ at: 0, text: runbookTitle(state) }, { at: L.listWidth + 1, text: paneTitle(state) }], [L.listWidth], ups);
  const cols = hcat(
    [
      { lines: runbookLines(state, L.listWidth, L.bodyRows), width: L.listWidth },
      { lines: paneWithHistory(state, L.bodyRows, L.paneWidth), width: L.paneWidth },
    ],
    L.bodyRows,
    V,
    { left: V, right: V },
  );
  return [sep, ...cols];
}

function mainArea(state: CockpitState, L: Layout): Line[] {
  const o = state.overlay;
  if (isScrollOverlay(o)) {
    const rows = L.mainRows - 1;
    const content = scrolled(overlayContent(state, o, L.inner), o.scroll, rows);
    return [separatorRow(L.inner, [{ at: 0, text: overlayTitle(state, o) }], [], []), ...pad(content, rows).map((l) => boxed(l, L.inner))];
  }
  if (state.focus) {
    const rows = L.mainRows - 1;
    const title = `${panelKey(state.focus)} ${PANEL_TITLE[state.focus]} · ↑↓ select · esc back`;
    const lines = focusLines(state.snapshot, state.focus, state.panelCursor, L.inner, rows, state.clock.now);
    return [separatorRow(L.inner, [{ at: 0, text: title }], [], []), ...pad(lines, rows).map((l) => boxed(l, L.inner))];
  }
  if (L.mode === 'compact') {
    const summaries = panelSummaries(state.snapshot, state.clock.now).map((l) => boxed(l, L.inner));
    return [...summaries, ...body(state, L, [])];
  }
  const cols = panelColumns(state.snapshot, L.inner - 3, L.panelRows, state.clock.now);
  const ups: number[] = [];
  let x = 0;
  for (const c of cols.slice(0, -1)) ups.push((x += c.width + (ups.length ? 1 : 0)));
  return [...hcat(cols, L.panelRows, V, { left: V, right: V }), ...body(state, L, ups)];
}

function pad(lines: Line[], rows: number): Line[] {
  return [...lines.slice(0, rows), ...Array.from({ length: Math.max(0, rows - lines.length) }, (): Line => [])];
}

/** The message line: an open question, else the last message, else what the selected step is. */
function messageLine(state: CockpitState, inner: number): Line {
  const p = prompt(state);
  if (p) return fitWithTail(p.head, p.tail, inner);
  const m = state.message;
  if (m) {
    const style = m.level === 'error' ? ({ c: 'red', b: true } as const) : m.level === 'warn' ? ({ c: 'yellow' } as const) : {};
    return [seg(m.level === 'error' ? '✗ ' : m.level === 'warn' ? '! ' : '· ', style), seg(m.text, style)];
  }
  const v = selectedStep(state);
  if (!v) return [];
  const s = v.step;
  const next = state.steps.indexOf(v) === nextStepIndex(state) ? ' · next' : '';
  const rb = s.rollback.kind === 'none' ? 'no rollback' : s.rollback.kind === 'auto' ? 'rollback: auto' : `rollback: ${s.rollback.action}`;
  const marks = s.irreversible ? ' · IRREVERSIBLE' : s.destructive ? ' · destructive' : '';
  return [seg(`${s.key}${next} · ${v.state} · ${s.action}${marks} · ${rb}${s.line ? ` · runbook line ${s.line}` : ''}`, { c: 'gray' })];
}

export function buildFrame(state: CockpitState, columns: number, rows: number): Line[] {
  if (rows < 2 || columns < 1) return [];
  const L = computeLayout(columns, rows);
  if (L.mode === 'tiny') {
    return [fitLine([seg(`cutover: ${columns}x${rows} is too small, needs ${COMPACT_MIN.columns}x${COMPACT_MIN.rows}`, { c: 'yellow' })], columns)];
  }
  return [
    borderRow('┌', headerLine(state, L.inner - 2), '┐', columns),
    ...mainArea(state, L),
    boxed(messageLine(state, L.inner), L.inner),
    borderRow('└', footerLine(state, columns - 4), '┘', columns),
  ];
}
