// The panel block: four panels side by side (full layout), one summary line each (compact layout), or one
// panel full-size with a row cursor (keys 1–4).
import type { Panel, PanelName, Snapshot, Verdict } from '../../../checks/types.ts';
import { fitLine, lineWidth, seg, windowAround, wrapText, type Column, type Line } from '../../text.ts';
import { PANEL_ORDER, problemLine, titleLine, whyOf, windowItems } from './common.ts';
import { containersView } from './containers.ts';
import { smokeView } from './smoke.ts';
import { tokensView } from './tokens.ts';
import { upstreamsView } from './upstreams.ts';
import type { PanelView } from './view.ts';

// Each view is typed for its own item; the registry erases that to the common Verdict.
const VIEWS = { containers: containersView, upstreams: upstreamsView, smoke: smokeView, tokens: tokensView } as unknown as Record<PanelName, PanelView<Verdict>>;

function panelOf(snapshot: Snapshot | null, name: PanelName): Panel<Verdict> | undefined {
  return snapshot?.[name];
}

/** Split `avail` columns: each panel gets its minimum, spare room goes first to panels that want more (long
 * titles), then evenly; a shortfall shrinks them in proportion. */
export function allocateWidths(min: number[], want: number[], avail: number): number[] {
  const n = min.length;
  const sum = min.reduce((a, b) => a + b, 0);
  let out = min.slice();
  if (sum > avail) out = min.map((w) => Math.floor((w * avail) / sum));
  else {
    const spare = avail - sum;
    const deficits = min.map((w, i) => Math.max(0, want[i]! - w));
    const wanted = deficits.reduce((a, b) => a + b, 0);
    out = min.map((w, i) => w + (wanted <= spare ? deficits[i]! : Math.floor((deficits[i]! * spare) / wanted)));
    const left = avail - out.reduce((a, b) => a + b, 0);
    out = out.map((w) => w + Math.floor(left / n));
  }
  out[n - 1]! += avail - out.reduce((a, b) => a + b, 0);
  return out;
}

function sideLines(name: PanelName, snapshot: Snapshot | null, now: number): { head: Line; bare: Line; body: Line[]; problem: Line | null; note: string | null } {
  const panel = panelOf(snapshot, name);
  const view = VIEWS[name];
  const problem = problemLine(panel);
  return {
    head: titleLine(name, panel, panel && view.titleSuffix ? view.titleSuffix(panel) : ''),
    bare: titleLine(name, panel),
    body: panel ? view.rows(panel, 0, now) : [],
    problem,
    note: !problem && panel && view.note ? view.note(panel) : null,
  };
}

/** Four columns of `rows` lines each, sized to `avail` columns in total (separators excluded). */
export function panelColumns(snapshot: Snapshot | null, avail: number, rows: number, now: number): Column[] {
  const parts = PANEL_ORDER.map((name) => ({ name, ...sideLines(name, snapshot, now) }));
  const min = parts.map((p) => Math.max(lineWidth(p.bare), ...p.body.map(lineWidth)));
  const widths = allocateWidths(min, parts.map((p, i) => Math.max(min[i]!, lineWidth(p.head))), avail);
  return parts.map((p, i) => {
    // A note wraps (up to 3 lines) in what the rows leave free; it never pushes a row out.
    const free = Math.max(0, rows - 1 - p.body.length);
    const note: Line[] = p.note ? wrapText(`· ${p.note}`, widths[i]!).slice(0, Math.min(3, free)).map((t) => [seg(t, { c: 'gray' })]) : [];
    const tail = p.problem ? [p.problem] : note;
    const room = rows - 1 - tail.length;
    return { width: widths[i]!, lines: [p.head, ...windowItems(p.name, p.body, room), ...tail] };
  });
}

export function panelSummaries(snapshot: Snapshot | null, now: number): Line[] {
  return PANEL_ORDER.map((name) => VIEWS[name].summary(panelOf(snapshot, name), now));
}

/** The full-size panel: one detail line per item around the cursor, then what the cursor's item expects and why. */
export function focusLines(snapshot: Snapshot | null, name: PanelName, cursor: number, width: number, rows: number, now: number): Line[] {
  const panel = panelOf(snapshot, name);
  if (!panel) return [[seg('… not checked yet: v re-checks now', { c: 'gray' })]];
  const lines: Line[] = [];
  if (panel.error) lines.push([seg('… could not check: ', { c: 'yellow' }), seg(panel.error, { c: 'yellow' })]);
  const item = panel.items[cursor];
  const footer: Line[] = item
    ? [
        [],
        [seg('expected ', { c: 'gray' }), seg(item.expected)],
        [seg('actual   ', { c: 'gray' }), seg(item.actual, { c: item.ok === false ? 'red' : undefined })],
        ...(item.ok === false ? [[seg('why      ', { c: 'gray' }), seg(whyOf(item), { c: 'red', b: true })]] : []),
      ]
    : [];
  const room = Math.max(1, rows - lines.length - footer.length);
  const { start, end } = windowAround(panel.items.length, cursor, room);
  for (let i = start; i < end; i++) {
    const selected = i === cursor;
    const row = fitLine([seg(selected ? '›' : ' ', { b: true }), ...VIEWS[name].detail(panel.items[i]!, now)], width);
    lines.push(selected ? row.map((s) => ({ ...s, inv: true })) : row);
  }
  return [...lines, ...footer].slice(0, rows);
}
