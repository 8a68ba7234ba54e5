import type { ContainerItem } from '../../../checks/types.ts';
import { pad, seg } from '../../text.ts';
import { ipTail, verdictSeg } from '../glyphs.ts';
import { summaryLine } from './common.ts';
import type { PanelView } from './view.ts';

/** "AP": A = autostart on, P = protected against deletion; "-" when off, "?" when unknown. */
export function containerFlags(c: ContainerItem): string {
  const flag = (v: boolean | null, ch: string) => (v === null ? '?' : v ? ch : '-');
  return flag(c.autostart, 'A') + flag(c.protectedDelete, 'P');
}

export const containersView: PanelView<ContainerItem> = {
  name: 'containers',
  rows(panel) {
    const nameWidth = Math.max(4, ...panel.items.map((c) => c.name.length));
    return panel.items.map((c) => [
      verdictSeg(c.ok),
      seg(` ${pad(c.name, nameWidth)} `),
      seg(pad(c.status ?? '?', 7), { c: c.status === 'Running' ? 'green' : c.status ? 'gray' : 'yellow' }),
      seg(` ${pad(ipTail(c.ipv4), 4)} ${containerFlags(c)}`),
    ]);
  },
  titleSuffix: () => ' A=auto P=prot',
  summary: (panel) =>
    summaryLine('containers', panel, (p) =>
      p.items.map((c) => `${c.name} ${c.status ?? '?'}${c.ipv4 ? ` ${ipTail(c.ipv4)}` : ''}`).join(', '),
    ),
  detail: (c) => [
    verdictSeg(c.ok),
    seg(` ${pad(c.name, 12)} ${pad(c.role, 7)} ${pad(c.status ?? '?', 8)} ${pad(c.ipv4 ?? '—', 16)}`),
    seg(`autostart ${c.autostart === null ? '?' : c.autostart ? 'on ' : 'off'}  protect ${c.protectedDelete === null ? '?' : c.protectedDelete ? 'on ' : 'off'}  `),
    seg(`expected ${c.expected}`, { c: 'gray' }),
  ],
};
