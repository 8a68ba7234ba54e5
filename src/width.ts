// The display width of terminal text: string-width's answer, fast. The bundle routes every `string-width`
// import (Ink, widest-line, cli-truncate, wrap-ansi, ours) here (scripts/build-options.mjs), so the screen and
// Ink measure alike and one copy of string-width is in the bundle instead of four.
//
// Why: string-width segments every non-ASCII string into graphemes and tests each against large Unicode
// property regexes; loading it and its first calls cost about 60 ms, more than drawing the cockpit's first
// frame, which is all box-drawing and mark characters. Text made only of printable ASCII and of code points
// that always form a grapheme of their own (BMP ranges with no combining marks, joiners, variation
// selectors, Hangul jamo or surrogates) is the sum of its characters' East Asian widths, which is what
// string-width computes for such a character. Colour codes are skipped. Everything else (other escape codes, emoji sequences, combining
// marks, options) goes to string-width itself, loaded on first need. test/unit/width.test.ts checks the
// ranges against string-width code point by code point.
import { eastAsianWidth } from 'get-east-asian-width';
import { createRequire } from 'node:module';

type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;

// In the bundle `require` is esbuild's, and require('string-width') initialises the bundled copy on first
// call; from the sources (tsx) it is Node's require of the ES module.
declare const require: NodeJS.Require | undefined;
let library: StringWidth | undefined;
function stringWidthLibrary(): StringWidth {
  library ??= ((typeof require === 'function' ? require('string-width') : createRequire(import.meta.url)('string-width')) as { default: StringWidth }).default;
  return library;
}

/** Code units that are always a grapheme cluster of their own, never combine with a neighbour, and print. */
export function isStandalone(c: number): boolean {
  return (
    (c >= 0xa0 && c <= 0x2ff && c !== 0xad) ||
    (c >= 0x2010 && c <= 0x2027) ||
    (c >= 0x2030 && c <= 0x205e) ||
    (c >= 0x2070 && c <= 0x20cf) ||
    (c >= 0x2100 && c <= 0x2bff)
  );
}

// Colour codes (SGR), which Ink's styled text is full of; any other escape sequence goes to string-width.
const SGR = /\u001b\[[0-9;]*m/g;

export default function stringWidth(input: string, options?: Parameters<StringWidth>[1]): number {
  if (typeof input !== 'string') return 0;
  if (options && (options.ambiguousIsNarrow === false || options.countAnsiEscapeCodes)) return stringWidthLibrary()(input, options);
  const text = input.includes('\u001b') ? input.replace(SGR, '') : input;
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) width++;
    else if (isStandalone(c)) width += eastAsianWidth(c);
    else return stringWidthLibrary()(input, options);
  }
  return width;
}
