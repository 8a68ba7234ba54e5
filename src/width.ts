// The display width of terminal text: string-width's answer, fast. The bundle routes every `string-width`
// import (Ink, widest-line, cli-truncate, wrap-ansi, ours) here (scripts/build-options.mjs), so the screen and
// Ink measure alike and one copy of string-width is loaded instead of four.
//
// Why: string-width segments every non-ASCII string into graphemes and tests each against large Unicode
// property regexes; the cockpit's frame is full of box-drawing and mark characters, and measuring its first
// frame that way cost more than drawing it. Text made only of printable ASCII and of code points that always
// form a grapheme of their own (BMP ranges with no combining marks, joiners, variation selectors, Hangul jamo
// or surrogates) is the sum of its characters' widths; each such character is asked of string-width once.
// Everything else (escape codes, emoji sequences, combining marks, options) goes to string-width itself.
// test/unit/width.test.ts checks the ranges against string-width code point by code point.
import stringWidthOf from 'string-width';

type Options = Parameters<typeof stringWidthOf>[1];

const charWidths = new Map<number, number>();

/** Code units that are always a grapheme cluster of their own and never combine with a neighbour. */
export function isStandalone(c: number): boolean {
  return (
    (c >= 0xa0 && c <= 0x2ff && c !== 0xad) ||
    (c >= 0x2010 && c <= 0x2027) ||
    (c >= 0x2030 && c <= 0x205e) ||
    (c >= 0x2070 && c <= 0x20cf) ||
    (c >= 0x2100 && c <= 0x2bff)
  );
}

export default function stringWidth(text: string, options?: Options): number {
  if (typeof text !== 'string') return 0;
  if (options && (options.ambiguousIsNarrow === false || options.countAnsiEscapeCodes)) return stringWidthOf(text, options);
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      width++;
      continue;
    }
    if (!isStandalone(c)) return stringWidthOf(text, options);
    let w = charWidths.get(c);
    if (w === undefined) {
      w = stringWidthOf(String.fromCharCode(c));
      charWidths.set(c, w);
    }
    width += w;
  }
  return width;
}
