// Hold mode (issue 22): Caddy holds a request whose upstream refuses connections and retries it until the
// upstream answers (reverse_proxy lb_try_duration + lb_try_interval + a short dial_timeout), so a cutover that
// repoints first and then stops the old daemon, copies and starts the new one fails no client request.
// What is known about Caddy, measured by test/integration/caddy-hold.test.ts on the installed Caddy:
// - a held GET is answered once the upstream listens;
// - ANY reload while a request is held fails it at once (502): nothing may reload Caddy until the new daemon answers;
// - a held request with a body fails on the versions heldBodiesFail() names ("invalid Read on closed Body").
// Pure text and config logic: the hold lines added to (and removed from) the named sites' reverse_proxy
// directives, what stops a route from holding, and the adapted config with the hold settings taken out.
import { CaddyfileSyntaxError } from './lexer.ts';
import { hostOfAddress, parseCaddyfile, type Directive } from './parse.ts';
import { proxyHandlers } from './dials.ts';

/** How often a held request is retried. */
export const HOLD_INTERVAL = '100ms';
/** How long one retry may wait for a connection: short, so a SYN into the void does not eat the hold. */
export const HOLD_DIAL_TIMEOUT = '500ms';
/** Every line hold mode adds ends with this comment; removing the hold removes exactly those lines. */
export const HOLD_MARK = '#cutover:hold';
/** The `{` hold mode opened on a reverse_proxy that had no block. */
const OPEN_MARK = `{ ${HOLD_MARK}-block`;

/** The reverse_proxy subdirectives of a hold of `duration`. */
export function holdLines(duration: string): string[] {
  return [...retryLines(duration), 'transport http {', `\t${DIAL_LINE}`, '}'];
}
const retryLines = (duration: string) => [`lb_try_duration ${duration}`, `lb_try_interval ${HOLD_INTERVAL}`];
const DIAL_LINE = `dial_timeout ${HOLD_DIAL_TIMEOUT}`;

/** Milliseconds after which every request held before the upstream answered has had its next try. */
export function holdQuietMs(): number {
  return durationMs(HOLD_INTERVAL) + durationMs(HOLD_DIAL_TIMEOUT) + 200;
}

function durationMs(d: string): number {
  const m = d.match(/^(\d+)(ms|s)$/);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/**
 * Whether a held request with a body (POST, PUT …) fails on this Caddy version: true through 2.11.1
 * (measured on Debian's 2.6.2; caddyserver/caddy#5454 on 2.6.1, #7546 on 2.10.2 and 2.11.1, fixed by #7547
 * in the release after it). Unknown version strings count as failing.
 */
export function heldBodiesFail(version: string): boolean {
  const m = version.replace(/^v/, '').match(/^(\d+)\.(\d+)\.(\d+)/);
  if (!m) return true;
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (maj !== 2) return maj < 2;
  return min < 11 || (min === 11 && patch <= 1);
}

export interface HoldProblem {
  level: 'blocker' | 'warning';
  code: 'hold-active-health' | 'hold-conflict' | 'hold-passive-health' | 'hold-no-proxy' | 'caddyfile-parse';
  line: number | null;
  site: string | null;
  message: string;
  fix: string;
}

/** Subdirectives that make Caddy run an active health check: a route with one does not hold (it waits for the check). */
const ACTIVE_HEALTH = ['health_uri', 'health_path', 'health_port', 'health_interval', 'health_timeout', 'health_status', 'health_body', 'health_headers'];
/** Subdirectives hold mode sets itself (the operator's own retry settings would be overridden). */
const HOLD_OWNS = ['lb_try_duration', 'lb_try_interval'];
const PASSIVE_HEALTH = ['fail_duration', 'max_fails', 'unhealthy_status', 'unhealthy_latency', 'unhealthy_request_count'];

interface SiteProxies {
  label: string;
  line: number;
  proxies: Directive[];
  /** The site block's own `import` lines (a snippet's reverse_proxy is not one hold mode edits). */
  imports: Directive[];
}

/** A reverse_proxy's own `transport` subdirective, if it has one. */
const transportOf = (proxy: Directive) => proxy.body?.find((d) => d.tokens[0]?.text === 'transport');

function proxiesOf(body: Directive[]): Directive[] {
  const out: Directive[] = [];
  const walk = (b: Directive[]) => {
    for (const d of b) {
      const head = d.tokens[0]?.text;
      if (head === 'reverse_proxy') out.push(d);
      else if (d.body && !head?.startsWith('@')) walk(d.body);
    }
  };
  walk(body);
  return out;
}

function sitesOf(src: string, hosts: string[]): SiteProxies[] {
  const want = new Set(hosts.map((h) => (hostOfAddress(h) ?? h).toLowerCase()));
  return parseCaddyfile(src)
    .sites.filter((s) => s.addresses.some((a) => want.has((hostOfAddress(a) ?? '').toLowerCase())))
    .map((s) => ({ label: s.addresses.join(', '), line: s.line, proxies: proxiesOf(s.body), imports: s.body.filter((d) => d.tokens[0]?.text === 'import') }));
}

/** What stops the named sites' reverse_proxy directives from holding requests (preflight). */
export function holdProblems(src: string, hosts: string[]): HoldProblem[] {
  const out: HoldProblem[] = [];
  let sites: SiteProxies[];
  try {
    sites = sitesOf(src, hosts);
  } catch (err) {
    if (err instanceof CaddyfileSyntaxError) return [{ level: 'blocker', code: 'caddyfile-parse', line: err.line, site: null, message: `cannot parse the Caddyfile: ${err.message}`, fix: 'fix the Caddyfile so `caddy adapt` accepts it' }];
    throw err;
  }
  for (const s of sites) {
    if (!s.proxies.length) {
      const i = s.imports[0];
      out.push({
        level: 'blocker',
        code: 'hold-no-proxy',
        line: i?.line ?? s.line,
        site: s.label,
        message: i
          ? `site ${s.label}, line ${i.line}: no reverse_proxy written in the site block (${i.tokens.map((t) => t.text).join(' ')} may bring one: hold mode edits only a reverse_proxy written in the site block)`
          : `site ${s.label}: no reverse_proxy to hold requests in`,
        fix: i ? 'write the reverse_proxy in the site block for the cutover (inline the snippet), or run without [proxy] hold' : 'hold mode needs a reverse_proxy in the site block',
      });
    }
    for (const p of s.proxies) {
      const sub = (p.body ?? []).map((d) => ({ name: d.tokens[0]?.text ?? '', line: d.line }));
      const active = sub.find((d) => ACTIVE_HEALTH.includes(d.name));
      if (active) {
        out.push({
          level: 'blocker',
          code: 'hold-active-health',
          line: active.line,
          site: s.label,
          message: `site ${s.label}, line ${active.line}: the reverse_proxy runs an active health check (${active.name}); a held request waits for the next check (default every 30 s) instead of the upstream, past its timeout`,
          fix: 'remove the active health check from this route for the cutover, or run it without [proxy] hold (the seed order)',
        });
      }
      // An http transport of the operator's own (keepalive, tls …) takes the hold's dial_timeout in (addHold);
      // another transport (fastcgi …) is not one hold mode knows how to set.
      const transport = transportOf(p);
      if (transport && transport.tokens[1]?.text !== 'http') {
        out.push({
          level: 'blocker',
          code: 'hold-conflict',
          line: transport.line,
          site: s.label,
          message: `site ${s.label}, line ${transport.line}: the reverse_proxy uses transport ${transport.tokens[1]?.text ?? '(none named)'}; hold mode sets a short dial_timeout in an http transport`,
          fix: 'run this route without [proxy] hold (the seed order)',
        });
      }
      const owned = sub.find((d) => HOLD_OWNS.includes(d.name));
      if (owned) {
        out.push({
          level: 'blocker',
          code: 'hold-conflict',
          line: owned.line,
          site: s.label,
          message: `site ${s.label}, line ${owned.line}: the reverse_proxy already sets ${owned.name}, which hold mode sets for the cutover`,
          fix: `remove ${owned.name} from this reverse_proxy (hold mode adds lb_try_duration, lb_try_interval and a short dial_timeout, and takes them out again), or run without [proxy] hold`,
        });
      }
      const passive = sub.find((d) => PASSIVE_HEALTH.includes(d.name));
      if (passive) {
        out.push({
          level: 'warning',
          code: 'hold-passive-health',
          line: passive.line,
          site: s.label,
          message: `site ${s.label}, line ${passive.line}: passive health checks (${passive.name}) mark the refusing upstream down; held requests then wait out its fail_duration`,
          fix: 'keep fail_duration short (or remove the passive check) for the cutover',
        });
      }
    }
  }
  return out;
}

const indentOf = (src: string, offset: number) => {
  const lineStart = src.lastIndexOf('\n', offset - 1) + 1;
  return src.slice(lineStart, offset).match(/^[ \t]*/)![0];
};

/**
 * Adds the hold lines to every reverse_proxy of the named sites; each added line ends with HOLD_MARK (a
 * reverse_proxy without a block gets one, its `{` line marked too). Throws on a route that cannot hold.
 */
export function addHold(src: string, hosts: string[], duration: string): string {
  const blocker = holdProblems(src, hosts).find((p) => p.level === 'blocker');
  if (blocker) throw new CaddyfileSyntaxError(`${blocker.message}; fix: ${blocker.fix}`, blocker.line ?? 0);
  const inserts: { at: number; text: string }[] = [];
  for (const s of sitesOf(src, hosts)) {
    for (const p of s.proxies) {
      const head = p.tokens[0]!;
      const indent = indentOf(src, head.start);
      const step = indent.includes('\t') || !indent ? '\t' : '    ';
      const transport = transportOf(p);
      // With the operator's own `transport http`, the dial_timeout goes into it (unless it sets one itself).
      const lines = (transport ? retryLines(duration) : holdLines(duration)).map((l) => `${indent}${step}${l.replace(/^\t/, step)} ${HOLD_MARK}\n`);
      inserts.push(intoBlock(src, p, lines, indent));
      if (transport && !transport.body?.some((d) => d.tokens[0]?.text === 'dial_timeout')) {
        const inner = indentOf(src, transport.tokens[0]!.start);
        inserts.push(intoBlock(src, transport, [`${inner}${step}${DIAL_LINE} ${HOLD_MARK}\n`], inner));
      }
    }
  }
  let text = src;
  for (const i of inserts.sort((a, b) => b.at - a.at)) text = text.slice(0, i.at) + i.text + text.slice(i.at);
  return text;
}

/** Where `lines` go into directive `d`: after the line of its `{`, or in a block opened for them (marked) when it has none. */
function intoBlock(src: string, d: Directive, lines: string[], indent: string): { at: number; text: string } {
  const last = d.tokens[d.tokens.length - 1]!;
  if (d.body) return { at: src.indexOf('\n', src.indexOf('{', last.end)) + 1, text: lines.join('') };
  return { at: last.end, text: ` ${OPEN_MARK}\n${lines.join('')}${indent}} ${HOLD_MARK}` };
}

/** The text without the lines addHold added (a `{` it opened goes too). */
export function removeHold(src: string): string {
  const out: string[] = [];
  for (const line of src.split(/(?<=\n)/)) {
    const body = line.replace(/\r?\n$/, '');
    if (body.endsWith(` ${OPEN_MARK}`)) out.push(body.slice(0, -(OPEN_MARK.length + 1)) + line.slice(body.length));
    else if (!body.endsWith(HOLD_MARK)) out.push(line);
  }
  return out.join('');
}

export function hasHoldLines(src: string): boolean {
  return src.includes(HOLD_MARK);
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function handlerAt(config: Json, upstreamsPath: (string | number)[]): Record<string, Json> | null {
  let cur: Json = config;
  for (const k of upstreamsPath.slice(0, -1)) {
    if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
    else if (isObj(cur) && typeof k === 'string') cur = cur[k];
    else return null;
  }
  return isObj(cur) ? cur : null;
}

/** The reverse_proxy handlers of the named hosts in an adapted config. */
function handlersOf(config: Json, hosts: string[]): Record<string, Json>[] {
  const want = new Set(hosts.map((h) => (hostOfAddress(h) ?? h).toLowerCase()));
  return proxyHandlers(config)
    .filter((p) => p.hosts.some((h) => want.has(h)))
    .map((p) => handlerAt(config, p.upstreamsPath))
    .filter((h): h is Record<string, Json> => h !== null);
}

/** The hold's try_duration in ns of each of the named hosts' handlers (null: no hold there). */
export function holdState(config: Json, hosts: string[]): { held: number; total: number } {
  const hs = handlersOf(config, hosts);
  return { held: hs.filter((h) => isObj(h.load_balancing) && typeof h.load_balancing.try_duration === 'number').length, total: hs.length };
}

/**
 * A copy of an adapted config with hold mode's settings taken out of the named hosts' reverse_proxy handlers
 * (try_duration, try_interval, the transport's dial_timeout, and what becomes empty then): equal to the
 * config of the same Caddyfile without the hold lines.
 */
export function withoutHold(config: Json, hosts: string[]): Json {
  const copy = structuredClone(config);
  for (const h of handlersOf(copy, hosts)) {
    if (isObj(h.load_balancing)) {
      delete h.load_balancing.try_duration;
      delete h.load_balancing.try_interval;
      if (!Object.keys(h.load_balancing).length) delete h.load_balancing;
    }
    if (isObj(h.transport)) {
      delete h.transport.dial_timeout;
      if (Object.keys(h.transport).length === 1 && h.transport.protocol === 'http') delete h.transport;
    }
  }
  return copy;
}
