import type { TokenItem } from '../../../checks/types.ts';
import { pad, padStart, seg, type Seg } from '../../text.ts';
import { age, coarseAge, verdictSeg } from '../glyphs.ts';
import { summaryLine } from './common.ts';
import type { PanelView } from './view.ts';

function seenAgo(t: TokenItem, now: number, show: (ms: number) => string = coarseAge): string {
  const at = t.lastSeenAt ? Date.parse(t.lastSeenAt) : NaN;
  return Number.isNaN(at) ? 'never' : show(now - at);
}

function survivedSeg(t: TokenItem): Seg {
  if (t.survived === true) return seg('kept', { c: 'green' });
  if (t.survived === false) return seg('LOST', { c: 'red', b: true });
  return seg('—', { c: 'gray' });
}

export const tokensView: PanelView<TokenItem> = {
  name: 'tokens',
  rows(panel, _width, now) {
    const devWidth = Math.max(6, ...panel.items.map((t) => t.identity.length + 1 + t.device.length));
    return panel.items.map((t) => [verdictSeg(t.ok), seg(` ${pad(`${t.identity}/${t.device}`, devWidth)} ${padStart(seenAgo(t, now), 6)} `), survivedSeg(t)]);
  },
  summary: (panel, now) =>
    summaryLine('tokens', panel, (p) => {
      const kept = p.items.filter((t) => t.survived).length;
      const newest = p.items.map((t) => (t.lastSeenAt ? Date.parse(t.lastSeenAt) : 0)).reduce((a, b) => Math.max(a, b), 0);
      return `${kept} survived · newest seen ${newest ? coarseAge(now - newest) : 'never'} ago`;
    }),
  detail: (t, now) => [
    verdictSeg(t.ok),
    seg(` ${pad(`${t.identity}/${t.device}`, 20)} ${pad(t.tokenMasked, 10)} last seen ${padStart(seenAgo(t, now, age), 6)} ago  `),
    survivedSeg(t),
    seg(`  created ${t.createdAt ?? '?'}`, { c: 'gray' }),
  ],
};
