// Caddyfile tokens with their byte offsets, so an edit can replace one token and keep every other byte
// (comments, indentation, tabs, CRLF) exactly as written. Follows Caddy 2.6's lexer: whitespace-separated
// words, "quoted" and `backtick` strings, `#` comments at the start of a word, `\` + newline continues a line.

export interface Token {
  /** The word as Caddy sees it (quotes removed). */
  text: string;
  /** Offsets of the raw token in the source, quotes included. */
  start: number;
  end: number;
  /** 1-based physical line of the token's first character. */
  line: number;
  quoted: boolean;
  /** A (non-continued) newline separates this token from the previous one: a new directive starts. */
  newlineBefore: boolean;
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let newlineBefore = true;
  const n = src.length;
  while (i < n) {
    const ch = src[i]!;
    if (ch === '\n') {
      line++;
      newlineBefore = true;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (ch === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    const startLine = line;
    let text = '';
    let quoted = false;
    if (ch === '"' || ch === '`') {
      quoted = true;
      i++;
      while (i < n && src[i] !== ch) {
        if (ch === '"' && src[i] === '\\' && src[i + 1] === '"') {
          text += '"';
          i += 2;
          continue;
        }
        if (src[i] === '\n') line++;
        text += src[i];
        i++;
      }
      if (i >= n) throw new CaddyfileSyntaxError(`unterminated ${ch === '"' ? 'quoted string' : 'backtick string'}`, startLine);
      i++;
    } else {
      while (i < n && !/\s/.test(src[i]!)) {
        text += src[i];
        i++;
      }
    }
    tokens.push({ text, start, end: i, line: startLine, quoted, newlineBefore });
    newlineBefore = false;
  }
  return tokens;
}

export class CaddyfileSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CaddyfileSyntaxError';
  }
}
