// Maps key paths (`steps[3].container`) to positions in the TOML text. @iarna/toml gives no positions, so
// this is a small lenient scanner over text that already parsed: table headers (counting `[[steps]]` for
// the index), keys inside them, dotted keys, inline tables and arrays (elements get `[i]`).
import { keyPath } from './problems.ts';

export interface Position {
  line: number;
  col: number;
}

export type Locator = (path: string) => Position | undefined;

export function buildLocator(text: string): Locator {
  const positions = indexPositions(text);
  return (path) => {
    let p = path;
    for (;;) {
      const hit = positions.get(p);
      if (hit) return hit;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) return undefined;
      p = p.slice(0, cut);
    }
  };
}

function indexPositions(text: string): Map<string, Position> {
  const out = new Map<string, Position>();
  const arrayIndex = new Map<string, number>();
  let pos = 0;
  let line = 1;
  let col = 1;

  const peek = (n = 0) => text[pos + n] ?? '';
  const startsWith = (s: string) => text.startsWith(s, pos);
  const advance = (n = 1) => {
    for (let i = 0; i < n && pos < text.length; i++, pos++) {
      if (text[pos] === '\n') [line, col] = [line + 1, 1];
      else col++;
    }
  };
  const here = (): Position => ({ line, col });
  const record = (segments: PropertyKey[], at: Position) => {
    const k = keyPath(segments);
    if (!out.has(k)) out.set(k, at);
  };
  const skipBlank = (newlines: boolean) => {
    for (;;) {
      const c = peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) advance();
      else if (c === '#' && newlines) while (pos < text.length && peek() !== '\n') advance();
      else return;
    }
  };
  const skipString = () => {
    for (const q of ['"""', "'''"]) {
      if (startsWith(q)) {
        advance(3);
        while (pos < text.length && !startsWith(q)) advance(peek() === '\\' && q === '"""' ? 2 : 1);
        advance(3);
        while (peek() === q[0]) advance(); // up to two extra quotes belong to the content
        return;
      }
    }
    const q = peek();
    advance();
    while (pos < text.length && peek() !== q && peek() !== '\n') advance(peek() === '\\' && q === '"' ? 2 : 1);
    advance();
  };
  const parseKey = (): string[] => {
    const segs: string[] = [];
    for (;;) {
      skipBlank(false);
      const c = peek();
      if (c === '"' || c === "'") {
        const start = pos;
        skipString();
        segs.push(text.slice(start + 1, pos - 1));
      } else {
        const start = pos;
        while (/[A-Za-z0-9_-]/.test(peek())) advance();
        if (pos === start) return segs;
        segs.push(text.slice(start, pos));
      }
      skipBlank(false);
      if (peek() !== '.') return segs;
      advance();
    }
  };
  const parseValue = (path: PropertyKey[]) => {
    const c = peek();
    if (c === '"' || c === "'") return skipString();
    if (c === '{') {
      advance();
      for (;;) {
        skipBlank(true);
        if (peek() === '}' || pos >= text.length) return advance();
        if (!keyValue(path, here())) { advance(); continue; }
        skipBlank(true);
        if (peek() === ',') advance();
      }
    }
    if (c === '[') {
      advance();
      for (let i = 0; ; i++) {
        skipBlank(true);
        if (peek() === ']' || pos >= text.length) return advance();
        record([...path, i], here());
        const before = pos;
        parseValue([...path, i]);
        skipBlank(true);
        if (peek() === ',') advance();
        else if (pos === before) advance();
      }
    }
    while (pos < text.length && !',]}\n#'.includes(peek())) advance();
  };
  /** `KEY = VALUE` under `base` (a table's, or an inline table's path), recorded at `at`; false when no key stands here. */
  const keyValue = (base: PropertyKey[], at: ReturnType<typeof here>): boolean => {
    const segs = parseKey();
    if (!segs.length) return false;
    skipBlank(false);
    if (peek() === '=') advance();
    skipBlank(false);
    record([...base, ...segs], at);
    parseValue([...base, ...segs]);
    return true;
  };
  // `a.b` under array tables gets their current index: `[[steps]] … [steps.x]` → steps[2].x
  const withIndexes = (segs: string[]): PropertyKey[] => {
    const outSegs: PropertyKey[] = [];
    segs.forEach((s) => {
      outSegs.push(s);
      const idx = arrayIndex.get(keyPath(outSegs));
      if (idx !== undefined) outSegs.push(idx);
    });
    return outSegs;
  };

  let prefix: PropertyKey[] = [];
  while (pos < text.length) {
    skipBlank(true);
    if (pos >= text.length) break;
    const at = here();
    if (startsWith('[[')) {
      advance(2);
      const segs = parseKey();
      const parent = withIndexes(segs.slice(0, -1));
      const name = keyPath([...parent, segs[segs.length - 1] ?? '']);
      const idx = (arrayIndex.get(name) ?? -1) + 1;
      arrayIndex.set(name, idx);
      prefix = [...parent, segs[segs.length - 1] ?? '', idx];
      record(prefix, at);
      while (pos < text.length && peek() !== '\n') advance();
    } else if (peek() === '[') {
      advance();
      prefix = withIndexes(parseKey());
      record(prefix, at);
      while (pos < text.length && peek() !== '\n') advance();
    } else if (!keyValue(prefix, at)) {
      advance();
    }
  }
  return out;
}
