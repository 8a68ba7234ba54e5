// What every panel view shares: the title row, the "why" of the first red item, the compact summary line.
import type { Panel, PanelName, Verdict } from '../../../checks/types.ts';
import { seg, type Line } from '../../text.ts';
import { verdictSeg } from '../glyphs.ts';

export const PANEL_ORDER: PanelName[] = ['containers', 'upstreams', 'smoke', 'tokens'];
export const PANEL_TITLE: Record<PanelName, string> = { containers: 'Containers', upstreams: 'Upstreams', smoke: 'Smoke', tokens: 'Tokens' };

export function panelKey(name: PanelName): number {
  return PANEL_ORDER.indexOf(name) + 1;
}

export function titleLine(name: PanelName, panel: Panel<Verdict> | undefined, suffix = ''): Line {
  return [seg(`${panelKey(name)} `, { c: 'gray' }), seg(PANEL_TITLE[name], { b: true }), seg(' '), verdictSeg(panel?.ok), seg(suffix, { c: 'gray' })];
}

export function firstRed<T extends Verdict>(panel: Panel<T> | undefined): T | undefined {
  return panel?.items.find((i) => i.ok === false);
}

export function whyOf(item: Verdict): string {
  return item.why ?? `expected ${item.expected}, got ${item.actual}`;
}

/** The last line(s) of a side-by-side panel: why it is red, or why it could not be checked. */
export function problemLine<T extends Verdict>(panel: Panel<T> | undefined): Line | null {
  if (!panel) return [seg('… not checked yet', { c: 'gray' })];
  if (panel.error) return [seg('… ', { c: 'gray' }), seg(panel.error, { c: 'yellow' })];
  const red = firstRed(panel);
  if (red) return [seg('✗ ', { c: 'red' }), seg(whyOf(red), { c: 'red' })];
  const waiting = panel.items.find((i) => i.ok === null && i.pending);
  return waiting ? [seg('· ', { c: 'gray' }), seg(waiting.pending!, { c: 'gray' })] : null;
}

/** Compact layout: "1 Containers ✓ 4/4 · detail" */
export function summaryLine<T extends Verdict>(name: PanelName, panel: Panel<T> | undefined, greenDetail: (p: Panel<T>) => string): Line {
  const head: Line = [seg(`${panelKey(name)} `, { c: 'gray' }), seg(PANEL_TITLE[name].padEnd(10), { b: true }), seg(' '), verdictSeg(panel?.ok), seg(' ')];
  if (!panel) return [...head, seg('not checked yet', { c: 'gray' })];
  const good = panel.items.filter((i) => i.ok === true).length;
  const count = seg(`${good}/${panel.items.length}`);
  if (panel.error) return [...head, count, seg(' · '), seg(panel.error, { c: 'yellow' })];
  const red = firstRed(panel);
  if (red) return [...head, count, seg(' · '), seg(whyOf(red), { c: 'red' })];
  const waiting = panel.items.find((i) => i.ok === null && i.pending);
  if (waiting) return [...head, count, seg(` · ${waiting.pending}`, { c: 'gray' })];
  return [...head, count, seg(` · ${greenDetail(panel)}`, { c: 'gray' })];
}

/** Fits `items` into `rows` lines: when they do not fit, the last line says how many more (key shows all). */
export function windowItems(name: PanelName, lines: Line[], rows: number): Line[] {
  if (lines.length <= rows) return lines;
  const shown = lines.slice(0, Math.max(0, rows - 1));
  return [...shown, [seg(`+${lines.length - shown.length} more (press ${panelKey(name)})`, { c: 'gray' })]];
}
