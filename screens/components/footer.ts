// The footer, drawn into the frame's bottom border: the keys valid now, then disabled ones with why. However
// narrow the terminal, `? help · q quit` stays at its end: entries that do not fit give way (disabled ones first).
import { footerEntries, type FooterEntry } from '../keymap.ts';
import type { CockpitState } from '../state/types.ts';
import { lineWidth, seg, truncate, type Line } from '../text.ts';

/** Bindings that always stay visible: how to learn every key, and how to leave (or close). */
const PINNED = new Set(['help', 'quit', 'close']);
const SEP = ' · ';

function entryLine(e: FooterEntry): Line {
  return e.disabled ? [seg(`${e.keys} ${e.label}: ${e.disabled}`, { c: 'gray', dim: true })] : [seg(e.keys, { b: true }), seg(` ${e.label}`)];
}

function joined(entries: Line[]): Line {
  const line: Line = [];
  for (const e of entries) {
    if (line.length) line.push(seg(SEP, { c: 'gray' }));
    line.push(...e);
  }
  return line;
}

export function footerLine(state: CockpitState, width = Infinity): Line {
  const entries = footerEntries(state);
  const full = joined(entries.map(entryLine));
  if (lineWidth(full) <= width) return full;
  // Too wide: the pinned keys are kept (their room reserved), the others in order while they fit; a disabled
  // entry's reason is cut rather than dropped while there is room for its key and a few words.
  const isPinned = (e: FooterEntry) => PINNED.has(e.id) && !e.disabled;
  let reserved = entries.filter(isPinned).reduce((n, e) => n + lineWidth(entryLine(e)) + SEP.length, 0);
  let used = 0;
  const kept: Line[] = [];
  let cut = false;
  for (const e of entries) {
    const l = entryLine(e);
    const w = lineWidth(l) + (kept.length ? SEP.length : 0);
    if (isPinned(e)) {
      kept.push(l);
      used += w;
      reserved -= lineWidth(l) + SEP.length;
      continue;
    }
    const room = width - used - reserved;
    if (w <= room) {
      kept.push(l);
      used += w;
    } else if (e.disabled && !cut && room - SEP.length >= 12) {
      const t = truncate(`${e.keys} ${e.label}: ${e.disabled}`, room - (kept.length ? SEP.length : 0));
      kept.push([seg(t, { c: 'gray', dim: true })]);
      used += lineWidth([seg(t)]) + (kept.length > 1 ? SEP.length : 0);
      cut = true;
    }
  }
  return joined(kept);
}
