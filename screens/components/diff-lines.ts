// Unified diff text → coloured lines; the +/- glyphs stay so colour is not the only signal.
import { printable, seg, type Line } from '../text.ts';

export function diffLine(text: string): Line {
  if (text.startsWith('+++') || text.startsWith('---')) return [seg(text, { b: true })];
  if (text.startsWith('@@')) return [seg(text, { c: 'cyan' })];
  if (text.startsWith('+')) return [seg(text, { c: 'green' })];
  if (text.startsWith('-')) return [seg(text, { c: 'red' })];
  return [seg(text)];
}

export function diffLines(diff: string): Line[] {
  return diff.split('\n').map((l) => diffLine(printable(l)));
}
