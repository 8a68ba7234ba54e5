// The smoke grid: identity × vantage rows, one column per check, ✓ ✗ … per cell.
import type { Panel, SmokeItem } from '../../../checks/types.ts';
import { pad, seg, type Line } from '../../text.ts';
import { ipTail, verdictSeg } from '../glyphs.ts';
import { summaryLine } from './common.ts';
import type { PanelView } from './view.ts';

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function cell(items: SmokeItem[], identity: string, vantage: string, check: string): SmokeItem | undefined {
  return items.find((i) => i.identity === identity && i.vantage === vantage && i.check === check);
}

/** ".14" for a local probe (the container it reached), "proxy" for a public one; "" before any result. */
function probedAt(items: SmokeItem[], identity: string, vantage: string): string {
  const url = items.find((i) => i.identity === identity && i.vantage === vantage && i.url)?.url;
  if (!url) return '';
  if (vantage === 'public') return 'proxy';
  try {
    return ipTail(new URL(url).host);
  } catch {
    return '';
  }
}

export function smokeChecks(panel: Panel<SmokeItem>): string[] {
  return unique(panel.items.map((i) => i.check));
}

export const smokeView: PanelView<SmokeItem> = {
  name: 'smoke',
  rows(panel) {
    const checks = smokeChecks(panel);
    const identities = unique(panel.items.map((i) => i.identity));
    const vantages = unique(panel.items.map((i) => i.vantage));
    const idWidth = Math.max(4, ...identities.map((i) => i.length));
    const header: Line = [seg(`${' '.repeat(idWidth + 2)}${checks.map((c) => ` ${c}`).join('')}`, { c: 'gray' })];
    const rows = identities.flatMap((id) =>
      vantages.map((v): Line => [
        seg(`${pad(id, idWidth)} ${v === 'local' ? 'L' : 'P'}`),
        ...checks.flatMap((c) => {
          const w = Math.max(1, c.length);
          const left = Math.floor((w - 1) / 2);
          const it = cell(panel.items, id, v, c);
          return [seg(' '.repeat(1 + left)), verdictSeg(it?.ok, it?.pending), seg(' '.repeat(w - 1 - left))];
        }),
        // Which address this vantage probed: the serving container's (legacy .11 / target .14) or the proxy.
        ...(probedAt(panel.items, id, v) ? [seg(` ${probedAt(panel.items, id, v)}`, { c: 'gray' })] : []),
      ]),
    );
    return [header, ...rows];
  },
  summary: (panel) =>
    summaryLine('smoke', panel, (p) => `${unique(p.items.map((i) => i.identity)).length} identities × ${unique(p.items.map((i) => i.vantage)).join('+')} all ✓`),
  detail: (i) => [
    verdictSeg(i.ok, i.pending),
    seg(` ${pad(i.identity, 8)} ${pad(i.vantage, 6)} ${pad(i.check, 6)} ${pad(i.status === null ? '—' : String(i.status), 4)} ${pad(i.timeMs === null ? '' : `${i.timeMs}ms`, 7)}`),
    seg(`${i.url ? `${i.url} ` : ''}`, { c: 'gray' }),
    seg(i.error ?? i.pending ?? i.conditions.map((c) => `${c.ok ? '✓' : '✗'} ${c.condition}`).join('  '), { c: i.ok === false ? 'red' : 'gray' }),
  ],
};
