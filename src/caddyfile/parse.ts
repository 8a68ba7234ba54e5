// Caddyfile structure from tokens: directives (one logical line each) with optional { … } bodies, and the
// top level split into global options, snippets, imports and site blocks.
import { CaddyfileSyntaxError, tokenize, type Token } from './lexer.ts';

export interface Directive {
  /** The directive's words on its line, without a trailing `{`. */
  tokens: Token[];
  /** Body between `{` and `}` when the line ends with `{`. */
  body?: Directive[];
  line: number;
}

export interface SiteBlock {
  /** Site addresses as written (commas removed). */
  addresses: string[];
  line: number;
  body: Directive[];
}

export interface CaddyfileTree {
  global?: Directive[];
  snippets: Map<string, Directive>;
  sites: SiteBlock[];
}

const isOpen = (t: Token) => t.text === '{' && !t.quoted;
const isClose = (t: Token) => t.text === '}' && !t.quoted;

function parseDirectives(tokens: Token[], pos: { i: number }, nested: Token | null): Directive[] {
  const out: Directive[] = [];
  while (pos.i < tokens.length) {
    const first = tokens[pos.i]!;
    if (isClose(first)) {
      if (!nested) throw new CaddyfileSyntaxError('unexpected "}"', first.line);
      pos.i++;
      return out;
    }
    const words: Token[] = [first];
    pos.i++;
    while (pos.i < tokens.length && !tokens[pos.i]!.newlineBefore && !isClose(tokens[pos.i]!)) words.push(tokens[pos.i++]!);
    const last = words[words.length - 1]!;
    if (isOpen(last)) {
      words.pop();
      out.push({ tokens: words, body: parseDirectives(tokens, pos, last), line: first.line });
    } else {
      out.push({ tokens: words, line: first.line });
    }
  }
  if (nested) throw new CaddyfileSyntaxError('"{" is never closed', nested.line);
  return out;
}

export function parseCaddyfile(src: string): CaddyfileTree {
  const top = parseDirectives(tokenize(src), { i: 0 }, null);
  const tree: CaddyfileTree = { snippets: new Map(), sites: [] };
  for (let k = 0; k < top.length; k++) {
    const d = top[k]!;
    const head = d.tokens[0];
    if (!head) {
      if (k === 0 && d.body) tree.global = d.body;
      continue;
    }
    if (/^\(.+\)$/.test(head.text) && d.body) {
      tree.snippets.set(head.text.slice(1, -1), d);
      continue;
    }
    if (head.text === 'import') continue;
    const addresses = d.tokens.flatMap((t) => t.text.split(',')).filter((a) => a !== '');
    if (d.body) {
      tree.sites.push({ addresses, line: d.line, body: d.body });
    } else {
      // A file with a single site may omit the braces: everything after the address line is its body.
      tree.sites.push({ addresses, line: d.line, body: top.slice(k + 1) });
      break;
    }
  }
  return tree;
}

/** The host a site address names: `https://Arne.posta.no:443/path` → `arne.posta.no`; null for `:80`. */
export function hostOfAddress(address: string): string | null {
  let a = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = a.indexOf('/');
  if (slash >= 0) a = a.slice(0, slash);
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    return close > 0 ? a.slice(1, close).toLowerCase() : null;
  }
  a = a.replace(/:\d*$/, '');
  return a === '' ? null : a.toLowerCase();
}
