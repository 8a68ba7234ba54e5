import type { UpstreamItem } from '../../../checks/types.ts';
import { pad, seg, type Seg } from '../../text.ts';
import { ipTail, verdictSeg } from '../glyphs.ts';
import { summaryLine } from './common.ts';
import type { PanelView } from './view.ts';

function tails(dials: string[]): string {
  if (dials.length === 0) return '—';
  return ipTail(dials[0]) + (dials.length > 1 ? `+${dials.length - 1}` : '');
}

/** Pool health in a word: drift beats failures beats ok. */
function health(u: UpstreamItem): Seg {
  if (u.drift) return seg('drift', { c: 'red', b: true });
  const fails = u.pool.reduce((n, p) => n + p.fails, 0);
  if (fails > 0) return seg(`${fails} fail`, { c: 'yellow' });
  if (u.pool.length === 0) return seg('no pool', { c: 'gray' });
  return seg('ok', { c: 'green' });
}

/** ".posta.no" when every site (two or more) ends with it: the side view shows "arne" and names the suffix once. */
export function commonDomain(sites: string[]): string {
  if (sites.length < 2) return '';
  const first = sites[0]!;
  const dot = first.indexOf('.');
  const suffix = dot > 0 ? first.slice(dot) : '';
  return suffix && sites.every((s) => s.endsWith(suffix) && s.length > suffix.length) ? suffix : '';
}

export const upstreamsView: PanelView<UpstreamItem> = {
  name: 'upstreams',
  rows(panel) {
    const suffix = commonDomain(panel.items.map((u) => u.site));
    const short = (site: string) => (suffix ? site.slice(0, -suffix.length) : site);
    const siteWidth = Math.max(4, ...panel.items.map((u) => short(u.site).length));
    return panel.items.map((u) => [verdictSeg(u.ok), seg(` ${pad(short(u.site), siteWidth)} ${tails(u.fileDials)}→${tails(u.liveDials)} `), health(u)]);
  },
  titleSuffix(panel) {
    const suffix = commonDomain(panel.items.map((u) => u.site));
    return suffix ? ` *${suffix}` : '';
  },
  summary: (panel) =>
    summaryLine('upstreams', panel, (p) => {
      const live = [...new Set(p.items.map((u) => tails(u.liveDials)))].join(' ');
      return `${p.items.length} sites → ${live} · ${p.items.some((u) => u.drift) ? 'drift' : 'no drift'}`;
    }),
  detail: (u) => [
    verdictSeg(u.ok),
    seg(` ${pad(u.site, 16)} file ${pad(u.fileDials.join(',') || '—', 18)} → live ${pad(u.liveDials.join(',') || '—', 18)} `),
    health(u),
    seg(`  pool ${u.pool.map((p) => `${ipTail(p.address)} ${p.numRequests}req ${p.fails}fail`).join(', ') || '—'}  → ${u.pointsAt ?? '?'}`, { c: 'gray' }),
  ],
};
