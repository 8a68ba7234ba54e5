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

/** Absent because a decommission deleted it, as expected (✓ "deleted by decommission run #N (archive …)"). */
function deletedOnPurpose(c: ContainerItem): boolean {
  return c.status === null && c.ok === true && /^deleted by /.test(c.actual);
}

function statusWord(c: ContainerItem): string {
  return c.status ?? (deletedOnPurpose(c) ? 'deleted' : '?');
}

export const containersView: PanelView<ContainerItem> = {
  name: 'containers',
  rows(panel) {
    const nameWidth = Math.max(4, ...panel.items.map((c) => (c.ref ?? c.name).length));
    return panel.items.map((c) => [
      verdictSeg(c.ok),
      seg(` ${pad(c.ref ?? c.name, nameWidth)} `),
      seg(pad(statusWord(c), 7), { c: c.status === 'Running' ? 'green' : c.status || deletedOnPurpose(c) ? 'gray' : 'yellow' }),
      seg(` ${pad(ipTail(c.ipv4), 4)} ${containerFlags(c)}`),
    ]);
  },
  titleSuffix: () => ' A=auto P=prot',
  summary: (panel) =>
    summaryLine('containers', panel, (p) => {
      const deleted = p.items.filter(deletedOnPurpose);
      const rest = p.items.filter((c) => !deletedOnPurpose(c)).map((c) => `${c.ref ?? c.name} ${c.status ?? '?'}${c.ipv4 ? ` ${ipTail(c.ipv4)}` : ''}`);
      return [...rest, ...(deleted.length ? [`${deleted.map((c) => c.ref ?? c.name).join(', ')} ${deleted[0]!.actual}`] : [])].join(', ');
    }),
  note: (panel) => {
    const deleted = panel.items.filter(deletedOnPurpose);
    return deleted.length ? deleted[0]!.actual : null;
  },
  detail: (c) => [
    verdictSeg(c.ok),
    seg(` ${pad(c.ref ?? c.name, Math.max(12, (c.ref ?? c.name).length))} ${pad(c.role, 7)} ${pad(statusWord(c), 8)} ${pad(c.ipv4 ?? '—', 16)}`),
    seg(`autostart ${c.autostart === null ? '?' : c.autostart ? 'on ' : 'off'}  protect ${c.protectedDelete === null ? '?' : c.protectedDelete ? 'on ' : 'off'}  `),
    seg(`expected ${c.expected}`, { c: 'gray' }),
  ],
};
