// The footer, drawn into the frame's bottom border: the keys valid now, then disabled ones with why.
import { footerEntries } from '../keymap.ts';
import type { CockpitState } from '../state/types.ts';
import { seg, type Line } from '../text.ts';

export function footerLine(state: CockpitState): Line {
  const line: Line = [];
  for (const e of footerEntries(state)) {
    if (line.length) line.push(seg(' · ', { c: 'gray' }));
    if (e.disabled) line.push(seg(`${e.keys} ${e.label}: ${e.disabled}`, { c: 'gray', dim: true }));
    else line.push(seg(e.keys, { b: true }), seg(` ${e.label}`));
  }
  return line;
}
