// The screen's line model: every row of the frame is a list of styled segments, fitted to an exact width
// with string-width, so no row can wrap or overflow whatever the terminal size.
import { stripVTControlCharacters } from 'node:util';
import stringWidth from '../src/width.ts';

export type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'magenta';

export interface Seg {
  t: string;
  c?: Colour;
  b?: boolean;
  dim?: boolean;
  inv?: boolean;
}
export type Line = Seg[];

export function seg(t: string, style: Omit<Seg, 't'> = {}): Seg {
  return { t, ...style };
}

// Widths are measured exactly as Ink measures them (string-width), so Ink never wraps a fitted row.
// Glyphs string-width counts as two but terminals draw in one (▶) are kept out of the screen (see glyphs.ts).
export function textWidth(s: string): number {
  return stringWidth(s);
}

export function lineWidth(line: Line): number {
  let w = 0;
  for (const s of line) w += textWidth(s.t);
  return w;
}

export function lineText(line: Line): string {
  return line.map((s) => s.t).join('');
}

const segmenter = new Intl.Segmenter();

/** Text from outside (command output, diffs) made safe for a row: no escape sequences, no control characters, tabs as spaces. */
export function printable(s: string): string {
  return stripVTControlCharacters(s).replace(/\t/g, '  ').replace(/[\u0000-\u001f\u007f]/g, '');
}

/** Words of `s` on lines of at most `width` columns (a word longer than a line is cut by fitLine later). */
export function wrapText(s: string, width: number): string[] {
  if (width <= 0) return [s];
  const out: string[] = [];
  let cur = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    if (cur && textWidth(cur) + 1 + textWidth(word) > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

/** Cut `s` to at most `width` columns; an ellipsis marks the cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(s)) {
    const w = textWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

export function pad(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - textWidth(t)));
}

export function padStart(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

/** Exactly `width` columns: truncated with an ellipsis when too long, padded with spaces when short. */
export function fitLine(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  const total = lineWidth(line);
  for (let i = 0; i < line.length && left > 0; i++) {
    const s = line[i]!;
    const w = textWidth(s.t);
    if (w <= left && (total <= width || w < left)) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, t: truncate(s.t, left) });
      left -= textWidth(truncate(s.t, left));
      break;
    }
  }
  if (left > 0) out.push({ t: ' '.repeat(left) });
  return out;
}

export interface Column {
  lines: Line[];
  width: number;
}

/** Columns side by side, each fitted to its width and `height` rows, joined by `sep`. */
export function hcat(columns: Column[], height: number, sep: Seg, edges?: { left: Seg; right: Seg }): Line[] {
  const rows: Line[] = [];
  for (let r = 0; r < height; r++) {
    const row: Line = edges ? [edges.left] : [];
    columns.forEach((col, i) => {
      if (i > 0) row.push(sep);
      row.push(...fitLine(col.lines[r] ?? [], col.width));
    });
    if (edges) row.push(edges.right);
    rows.push(row);
  }
  return rows;
}

/** A window of `size` items that keeps `index` visible, roughly centred. */
export function windowAround(count: number, index: number, size: number): { start: number; end: number } {
  if (count <= size) return { start: 0, end: count };
  const start = Math.max(0, Math.min(count - size, index - Math.floor(size / 2)));
  return { start, end: start + size };
}

/** A horizontal rule with an optional title: "── Title ─────". */
export function rule(width: number, title = '', ch = '─'): string {
  if (!title) return ch.repeat(Math.max(0, width));
  const head = `${ch} ${truncate(title, Math.max(0, width - 4))} `;
  return head + ch.repeat(Math.max(0, width - textWidth(head)));
}

/** `head` fitted into what `tail` leaves of `width`; the tail keeps its end visible (typed input). */
export function fitWithTail(head: Line, tail: Line, width: number): Line {
  const tailText = lineText(tail);
  const tailRoom = Math.min(textWidth(tailText), Math.max(0, width - 8));
  let shown = tail;
  if (textWidth(tailText) > tailRoom) {
    const chars = [...tailText];
    let cut = '';
    for (let i = chars.length - 1; i >= 0 && textWidth(chars[i] + cut) <= tailRoom - 1; i--) cut = chars[i] + cut;
    shown = [{ ...tail[0], t: `…${cut}` }];
  }
  const room = width - lineWidth(shown);
  return fitLine([...(lineWidth(head) <= room ? head : fitLine(head, room)), ...shown], width);
}

/**
 * `line` on as many rows of at most `width` columns as it needs (styles kept), so nothing is cut: breaks at
 * the last space that leaves the row at least half full, else mid-word; continuation rows start with `indent`.
 */
export function wrapLine(line: Line, width: number, indent = '  '): Line[] {
  if (width <= 0 || lineWidth(line) <= width) return [line];
  const cells: { ch: string; w: number; s: Seg }[] = [];
  for (const s of line) for (const { segment } of segmenter.segment(s.t)) cells.push({ ch: segment, w: textWidth(segment), s });
  const rows: Line[] = [];
  let i = 0;
  while (i < cells.length) {
    const lead = rows.length ? indent : '';
    const room = Math.max(1, width - textWidth(lead));
    let used = 0;
    let end = i;
    while (end < cells.length && used + cells[end]!.w <= room) used += cells[end++]!.w;
    if (end === i) end = i + 1; // a glyph wider than the room still moves on
    if (end < cells.length) {
      let sp = end;
      while (sp > i && cells[sp - 1]!.ch !== ' ') sp--;
      if (sp > i && sp - i >= (end - i) / 2) end = sp;
    }
    const row: Line = lead ? [{ t: lead }] : [];
    for (let k = i; k < end; k++) {
      const c = cells[k]!;
      const last = row[row.length - 1];
      if (last && k > i && cells[k - 1]!.s === c.s) last.t += c.ch;
      else row.push({ ...c.s, t: c.ch });
    }
    rows.push(row);
    i = end;
  }
  return rows;
}

/** Every line wrapped to `width` (see wrapLine). */
export function wrapLines(lines: Line[], width: number, indent = '  '): Line[] {
  return lines.flatMap((l) => wrapLine(l, width, indent));
}
