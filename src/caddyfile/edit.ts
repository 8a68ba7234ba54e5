// Repoints the reverse_proxy upstream literals of named sites, token by token: only the upstream words
// change, every other byte of the file stays as written. Refuses (naming site and line) whenever the
// upstream is not a literal inside the site block, because editing elsewhere would move other sites too.
import { CaddyfileSyntaxError, type Token } from './lexer.ts';
import { hostOfAddress, parseCaddyfile, type Directive, type SiteBlock } from './parse.ts';

export interface UpstreamChange {
  /** The site block's address list as written, e.g. "arne.posta.no" or "a.example, b.example". */
  site: string;
  /** 1-based line of the replaced upstream. */
  line: number;
  from: string;
  to: string;
}

export interface EditResult {
  text: string;
  changes: UpstreamChange[];
}

export class CaddyfileEditError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly site: string | null,
  ) {
    super(message);
    this.name = 'CaddyfileEditError';
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const isMatcherToken = (t: Token) => t.text === '*' || t.text.startsWith('/') || t.text.startsWith('@');

interface UpstreamGroup {
  tokens: Token[];
}

/** The upstream word groups of one site block, or a refusal. */
function upstreamGroups(site: SiteBlock, label: string): UpstreamGroup[] {
  const groups: UpstreamGroup[] = [];
  const imports: Directive[] = [];
  let proxies = 0;
  const refuse = (line: number, why: string): never => {
    throw new CaddyfileEditError(`site ${label}, line ${line}: ${why}`, line, label);
  };
  const literal = (words: Token[]) => {
    for (const w of words) {
      if (/[{}]/.test(w.text)) refuse(w.line, `upstream "${w.text}" is a placeholder, not a literal; change it where it is defined`);
    }
    groups.push({ tokens: words });
  };
  const walk = (body: Directive[]) => {
    for (const d of body) {
      const head = d.tokens[0]?.text;
      if (head === 'import') imports.push(d);
      else if (head === 'reverse_proxy') {
        proxies++;
        const before = groups.length;
        const args = d.tokens.slice(1);
        if (args[0] && isMatcherToken(args[0])) args.shift();
        if (args.length) literal(args);
        for (const sub of d.body ?? []) {
          const subHead = sub.tokens[0]?.text;
          if (subHead === 'to') literal(sub.tokens.slice(1));
          else if (subHead === 'dynamic') refuse(sub.line, 'reverse_proxy uses dynamic upstreams; there is no literal to repoint');
          else if (subHead === 'import') refuse(sub.line, `reverse_proxy takes its settings from "${sub.tokens.map((t) => t.text).join(' ')}"; its upstream is not a literal in this block`);
        }
        if (groups.length === before) refuse(d.line, 'reverse_proxy has no upstream literal in this block');
      } else if (d.body && !head?.startsWith('@')) walk(d.body);
    }
  };
  walk(site.body);
  if (proxies === 0) {
    const imp = imports[0];
    if (imp) refuse(imp.line, `the upstream comes from "${imp.tokens.map((t) => t.text).join(' ')}", not a literal in the site block; cutover only edits literal upstreams`);
    refuse(site.line, 'no reverse_proxy directive in this site block');
  }
  return groups;
}

function replacement(src: string, words: Token[], newUpstream: string): string {
  const first = words[0]!;
  let to = newUpstream;
  if (words.length === 1) {
    const scheme = first.text.match(SCHEME)?.[0];
    if (scheme && !SCHEME.test(newUpstream)) to = scheme + newUpstream;
    if (first.quoted) to = src[first.start] + to + src[first.start];
  }
  return to;
}

/**
 * Replaces the reverse_proxy upstream(s) of every site block naming one of `sites` with `newUpstream`.
 * Several upstreams in one directive collapse into the one new upstream. Already-pointing upstreams are no change.
 */
export function repointUpstreams(src: string, sites: string[], newUpstream: string): EditResult {
  if (!/^\S+$/.test(newUpstream) || /[{}"`]/.test(newUpstream)) throw new CaddyfileEditError(`new upstream "${newUpstream}" is not a single literal address`, null, null);
  let tree;
  try {
    tree = parseCaddyfile(src);
  } catch (err) {
    if (err instanceof CaddyfileSyntaxError) throw new CaddyfileEditError(`cannot parse the Caddyfile: ${err.message}`, err.line, null);
    throw err;
  }
  const wanted = new Set(sites.map((s) => hostOfAddress(s) ?? s.toLowerCase()));
  const found = new Set<string>();
  const edits: { start: number; end: number; change: UpstreamChange }[] = [];
  for (const site of tree.sites) {
    const hosts = site.addresses.map((a) => ({ address: a, host: hostOfAddress(a) }));
    if (!hosts.some((h) => h.host && wanted.has(h.host))) continue;
    const label = site.addresses.join(', ');
    const strangers = hosts.filter((h) => !h.host || !wanted.has(h.host)).map((h) => h.address);
    if (strangers.length) {
      throw new CaddyfileEditError(
        `site ${label}, line ${site.line}: the block also serves ${strangers.join(', ')}, which is not being repointed; split the block first`,
        site.line,
        label,
      );
    }
    for (const h of hosts) found.add(h.host!);
    for (const g of upstreamGroups(site, label)) {
      const first = g.tokens[0]!;
      const last = g.tokens[g.tokens.length - 1]!;
      const from = src.slice(first.start, last.end);
      const to = replacement(src, g.tokens, newUpstream);
      if (from !== to) edits.push({ start: first.start, end: last.end, change: { site: label, line: first.line, from, to } });
    }
  }
  const missing = [...wanted].filter((h) => !found.has(h));
  if (missing.length) throw new CaddyfileEditError(`no site block for ${missing.join(', ')}`, null, missing[0]!);
  let text = src;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.change.to + text.slice(e.end);
  return { text, changes: edits.map((e) => e.change) };
}
