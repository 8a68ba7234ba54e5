// Repoints the reverse_proxy upstreams of named sites that dial a legacy container, token by token: only those
// upstream words change, every other byte of the file stays as written (other upstreams, other handles, other
// sites). Everything that would make the edit unsafe or incomplete is a problem naming the line and the fix;
// `analyzeRepoint` lists them all (preflight), `repointUpstreams` refuses on the first one (the step).
import { CaddyfileSyntaxError, type Token } from './lexer.ts';
import { hostOfAddress, parseCaddyfile, type CaddyfileTree, type Directive, type SiteBlock } from './parse.ts';
import { dialOfUpstream } from './dials.ts';

export interface UpstreamChange {
  /** The site block's address list as written, e.g. "arne.posta.no" or "a.example, b.example". */
  site: string;
  /** 1-based line of the replaced upstream. */
  line: number;
  from: string;
  to: string;
}

/** One site to repoint and the dials (`host:port`, as Caddy derives them) that point at its legacy container. */
export interface SiteMove {
  host: string;
  legacy: string[];
  /** The legacy container, for messages. */
  container?: string;
}

/**
 * A reverse_proxy that load-balances a legacy dial with another upstream: "refuse" (default: a blocker, the
 * operator decides), "replace_legacy" (only the legacy dials move, the others stay), "collapse" (the whole
 * upstream list becomes the new upstream).
 */
export type MixedPolicy = 'refuse' | 'replace_legacy' | 'collapse';
export const MIXED_POLICIES: readonly MixedPolicy[] = ['refuse', 'replace_legacy', 'collapse'];

export interface RepointOptions {
  mixed?: MixedPolicy;
}

export type EditProblemCode =
  | 'caddyfile-parse'
  | 'bad-upstream'
  | 'site-missing'
  | 'site-shared'
  | 'no-reverse-proxy'
  | 'dial-in-snippet'
  | 'dial-in-import'
  | 'dial-placeholder'
  | 'proxy-imports-settings'
  | 'no-legacy-dial'
  | 'mixed-upstreams';

export interface EditProblem {
  level: 'blocker' | 'warning';
  code: EditProblemCode | 'legacy-other-port' | 'placeholder-upstream';
  message: string;
  line: number | null;
  site: string | null;
  fix: string;
}

export interface EditResult {
  text: string;
  changes: UpstreamChange[];
}

export interface RepointAnalysis extends EditResult {
  problems: EditProblem[];
}

export class CaddyfileEditError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly site: string | null,
    readonly code: EditProblemCode | null = null,
    readonly fix: string | null = null,
  ) {
    super(message);
    this.name = 'CaddyfileEditError';
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const isMatcherToken = (t: Token) => t.text === '*' || t.text.startsWith('/') || t.text.startsWith('@');
const isPlaceholder = (t: Token) => /[{}]/.test(t.text);
const words = (d: Directive) => d.tokens.map((t) => t.text).join(' ');
const hostPart = (dial: string) => (dial.startsWith('[') ? dial.slice(0, dial.indexOf(']') + 1) : dial.replace(/:\d+$/, ''));

/** The upstream words of one reverse_proxy: the inline ones and each `to` line; plus what hides them. */
interface ProxyDirective {
  directive: Directive;
  groups: Token[][];
  dynamic: Directive | null;
  imports: Directive[];
}

function proxyOf(d: Directive): ProxyDirective {
  const groups: Token[][] = [];
  const args = d.tokens.slice(1);
  if (args[0] && isMatcherToken(args[0])) args.shift();
  if (args.length) groups.push(args);
  let dynamic: Directive | null = null;
  const imports: Directive[] = [];
  for (const sub of d.body ?? []) {
    const head = sub.tokens[0]?.text;
    if (head === 'to' && sub.tokens.length > 1) groups.push(sub.tokens.slice(1));
    else if (head === 'dynamic') dynamic = sub;
    else if (head === 'import') imports.push(sub);
  }
  return { directive: d, groups, dynamic, imports };
}

/** Every reverse_proxy and import in a body, nested handle/route blocks included (not matcher definitions). */
function collect(body: Directive[]): { proxies: ProxyDirective[]; imports: Directive[] } {
  const proxies: ProxyDirective[] = [];
  const imports: Directive[] = [];
  const walk = (b: Directive[]) => {
    for (const d of b) {
      const head = d.tokens[0]?.text;
      if (head === 'import') imports.push(d);
      else if (head === 'reverse_proxy') proxies.push(proxyOf(d));
      else if (d.body && !head?.startsWith('@')) walk(d.body);
    }
  };
  walk(body);
  return { proxies, imports };
}

function replacement(src: string, tok: Token, newUpstream: string): string {
  let to = newUpstream;
  const scheme = tok.text.match(SCHEME)?.[0];
  if (scheme && !SCHEME.test(newUpstream)) to = scheme + newUpstream;
  if (tok.quoted) to = src[tok.start] + to + src[tok.start];
  return to;
}

const dialOf = (text: string) => {
  try {
    return dialOfUpstream(text).toLowerCase();
  } catch {
    return text.toLowerCase();
  }
};

/** Lists every problem of repointing `moves` to `newUpstream` and the edit as far as it is safe. */
export function analyzeRepoint(src: string, moves: SiteMove[], newUpstream: string, opts: RepointOptions = {}): RepointAnalysis {
  const mixed = opts.mixed ?? 'refuse';
  const problems: EditProblem[] = [];
  const blocker = (code: EditProblemCode, line: number | null, site: string | null, message: string, fix: string) =>
    problems.push({ level: 'blocker', code, line, site, message: site && line ? `site ${site}, line ${line}: ${message}` : message, fix });
  const warn = (code: EditProblem['code'], line: number | null, site: string | null, message: string, fix: string) =>
    problems.push({ level: 'warning', code, line, site, message: site && line ? `site ${site}, line ${line}: ${message}` : message, fix });

  if (!/^\S+$/.test(newUpstream) || /[{}"`]/.test(newUpstream)) {
    blocker('bad-upstream', null, null, `new upstream "${newUpstream}" is not a single literal address`, 'give proxy.repoint an upstream like {{ip("posta")}}:80');
    return { text: src, changes: [], problems };
  }
  let tree: CaddyfileTree;
  try {
    tree = parseCaddyfile(src);
  } catch (err) {
    if (err instanceof CaddyfileSyntaxError) {
      blocker('caddyfile-parse', err.line, null, `cannot parse the Caddyfile: ${err.message}`, 'fix the Caddyfile so `caddy adapt` accepts it, then reload Caddy');
      return { text: src, changes: [], problems };
    }
    throw err;
  }
  const newDial = dialOf(newUpstream);
  const byHost = new Map(moves.map((m) => [(hostOfAddress(m.host) ?? m.host).toLowerCase(), m]));
  const found = new Set<string>();
  const edits: { start: number; end: number; change: UpstreamChange }[] = [];

  for (const site of tree.sites) {
    const hosts = site.addresses.map((a) => ({ address: a, host: hostOfAddress(a) }));
    const mine = hosts.filter((h) => h.host && byHost.has(h.host));
    if (!mine.length) continue;
    const label = site.addresses.join(', ');
    for (const h of mine) found.add(h.host!);
    const strangers = hosts.filter((h) => !h.host || !byHost.has(h.host)).map((h) => h.address);
    if (strangers.length) {
      blocker(
        'site-shared',
        site.line,
        label,
        `the block also serves ${strangers.join(', ')}, which this runbook does not repoint`,
        `split the block (one site block for ${mine.map((h) => h.address).join(', ')}), or list ${strangers.join(', ')} in proxy.sites if it moves too`,
      );
      continue;
    }
    const legacy = new Set(mine.flatMap((h) => byHost.get(h.host!)!.legacy.map((d) => d.toLowerCase())));
    const legacyHosts = new Set([...legacy].map(hostPart));
    const containers = [...new Set(mine.map((h) => byHost.get(h.host!)!.container).filter(Boolean))].join(', ');
    const legacyName = containers ? `${containers} (${[...legacy].join(', ')})` : [...legacy].join(', ');
    siteEdits(src, site, label, tree, { legacy, legacyHosts, legacyName, newDial, newUpstream, mixed }, edits, blocker, warn);
  }
  for (const [host, m] of byHost) {
    if (!found.has(host)) blocker('site-missing', null, m.host, `no site block for ${m.host}`, `add a site block for ${m.host} that proxies to its legacy container, or remove it from proxy.sites`);
  }
  let text = src;
  if (!problems.some((p) => p.level === 'blocker')) {
    for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.change.to + text.slice(e.end);
  }
  return { text, changes: edits.map((e) => e.change).sort((a, b) => a.line - b.line), problems };
}

interface SiteCtx {
  legacy: Set<string>;
  legacyHosts: Set<string>;
  legacyName: string;
  newDial: string;
  newUpstream: string;
  mixed: MixedPolicy;
}
type Report = (code: EditProblemCode, line: number | null, site: string | null, message: string, fix: string) => void;
type Warn = (code: EditProblem['code'], line: number | null, site: string | null, message: string, fix: string) => void;

function siteEdits(
  src: string,
  site: SiteBlock,
  label: string,
  tree: CaddyfileTree,
  c: SiteCtx,
  edits: { start: number; end: number; change: UpstreamChange }[],
  blocker: Report,
  warn: Warn,
): void {
  const { proxies, imports } = collect(site.body);
  const isLegacy = (t: Token) => !isPlaceholder(t) && c.legacy.has(dialOf(t.text));
  let legacySeen = 0;
  let newSeen = 0;
  const placeholders: Token[] = [];

  for (const p of proxies) {
    const all = p.groups.flat();
    const legacyTokens = all.filter(isLegacy);
    newSeen += all.filter((t) => !isPlaceholder(t) && dialOf(t.text) === c.newDial).length;
    for (const t of all) {
      if (isPlaceholder(t)) placeholders.push(t);
      else if (!isLegacy(t) && dialOf(t.text) !== c.newDial && c.legacyHosts.has(hostPart(dialOf(t.text)))) {
        warn('legacy-other-port', t.line, label, `"${t.text}" dials the legacy container on another port; it is not moved and stops answering when that container stops`, 'repoint it by hand or list it in the runbook if it must move too');
      }
    }
    if (!legacyTokens.length) continue;
    legacySeen += legacyTokens.length;
    if (p.dynamic) {
      blocker('proxy-imports-settings', p.dynamic.line, label, 'reverse_proxy also uses dynamic upstreams; the full upstream set is not in the file', 'remove the dynamic upstreams from this reverse_proxy, or move them to their own handle');
      continue;
    }
    if (p.imports.length) {
      blocker('proxy-imports-settings', p.imports[0]!.line, label, `reverse_proxy takes settings from "${words(p.imports[0]!)}"; its upstream set is not all in this block`, 'inline the imported settings in this reverse_proxy block');
      continue;
    }
    const others = all.filter((t) => !isLegacy(t) && (isPlaceholder(t) || dialOf(t.text) !== c.newDial));
    if (others.length && c.mixed === 'refuse') {
      blocker(
        'mixed-upstreams',
        p.directive.line,
        label,
        `reverse_proxy mixes the legacy dial(s) ${legacyTokens.map((t) => t.text).join(', ')} with ${others.map((t) => t.text).join(', ')}`,
        'decide in the runbook: proxy.mixed_upstreams = "replace_legacy" (only the legacy dials move) or "collapse" (the whole list becomes the new upstream), or edit the block first',
      );
      continue;
    }
    const span = (g: Token[]) => ({ start: g[0]!.start, end: g[g.length - 1]!.end, line: g[0]!.line });
    if (others.length && c.mixed === 'replace_legacy') {
      for (const t of legacyTokens) {
        edits.push({ start: t.start, end: t.end, change: { site: label, line: t.line, from: src.slice(t.start, t.end), to: replacement(src, t, c.newUpstream) } });
      }
      continue;
    }
    // Every upstream of this directive is legacy (or already the new one), or the operator chose "collapse".
    for (const g of p.groups) {
      const s = span(g);
      const from = src.slice(s.start, s.end);
      const to = g.length === 1 ? replacement(src, g[0]!, c.newUpstream) : c.newUpstream;
      if (from !== to) edits.push({ start: s.start, end: s.end, change: { site: label, line: s.line, from, to } });
    }
  }

  // Legacy dials hidden in snippets (or imported files) would not move with this block.
  for (const imp of imports) {
    const name = imp.tokens[1]?.text ?? '';
    const snippet = tree.snippets.get(name);
    if (snippet) {
      const inner = collect(snippet.body ?? []);
      const hit = inner.proxies.flatMap((p) => p.groups.flat()).find(isLegacy);
      if (hit) {
        blocker(
          'dial-in-snippet',
          imp.line,
          label,
          `the legacy dial ${hit.text} comes from the snippet (${name}) (line ${hit.line}) imported here, not from a literal in the site block`,
          `inline the snippet's reverse_proxy in this site block (replace "import ${name}" at line ${imp.line} with its content), then reload Caddy`,
        );
        legacySeen++;
      }
    } else if (!legacySeen) {
      warn('dial-in-import', imp.line, label, `"${words(imp)}" imports a file cutover does not read; a legacy dial there would not move`, 'inline the imported reverse_proxy in the site block');
    }
  }

  if (legacySeen || newSeen) return;
  if (!proxies.length) {
    const imp = imports[0];
    if (imp) blocker('dial-in-import', imp.line, label, `the upstream comes from "${words(imp)}", not a literal in the site block; cutover only edits literal upstreams`, 'inline the reverse_proxy in the site block, then reload Caddy');
    else blocker('no-reverse-proxy', site.line, label, 'no reverse_proxy directive in this site block', 'add the reverse_proxy to the legacy container, or remove the host from proxy.sites');
    return;
  }
  const ph = placeholders[0];
  if (ph) {
    blocker('dial-placeholder', ph.line, label, `upstream "${ph.text}" is a placeholder, not a literal; change it where it is defined`, 'write the legacy address as a literal upstream in the site block');
    return;
  }
  const dyn = proxies.find((p) => p.dynamic);
  if (dyn) {
    blocker('dial-placeholder', dyn.dynamic!.line, label, 'reverse_proxy uses dynamic upstreams; there is no literal to repoint', 'write the legacy address as a literal upstream in the site block');
    return;
  }
  const inBlock = proxies.find((p) => p.imports.length);
  if (inBlock) {
    blocker('proxy-imports-settings', inBlock.imports[0]!.line, label, `reverse_proxy takes its settings from "${words(inBlock.imports[0]!)}"; its upstream is not a literal in this block`, 'inline the imported settings in this reverse_proxy block');
    return;
  }
  blocker(
    'no-legacy-dial',
    site.line,
    label,
    `no reverse_proxy in this block dials the legacy container ${c.legacyName}; it dials ${proxies.flatMap((p) => p.groups.flat()).map((t) => t.text).join(', ') || 'nothing literal'}`,
    'check the identity\'s legacy_container and port against the Caddyfile (cutover repoints only the dials that point at the legacy container)',
  );
}

/** The edit, or a CaddyfileEditError for its first blocker (warnings do not stop it). */
export function repointUpstreams(src: string, moves: SiteMove[], newUpstream: string, opts: RepointOptions = {}): EditResult {
  const a = analyzeRepoint(src, moves, newUpstream, opts);
  const first = a.problems.find((p) => p.level === 'blocker');
  if (first) throw new CaddyfileEditError(first.message, first.line, first.site, first.code as EditProblemCode, first.fix);
  return { text: a.text, changes: a.changes };
}
