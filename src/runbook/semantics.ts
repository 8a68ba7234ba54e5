// Runbook semantics beyond the schema: what makes a runbook that parses unable to work. Two identities with
// the same host, legacy container or data dir (one's keys copied over the other's), a host that is not an ASCII
// hostname, a path with a quote, a newline or a control character, a template value that would break the
// format it is written into (the TOML manifest, a shell argv, the Caddyfile). Pure; problems carry key paths.
import { domainToASCII } from 'node:url';
import type { Runbook } from './schema.ts';
import { keyPath } from './problems.ts';
import type { ShapeProblem } from './shape.ts';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** null when `host` is an ASCII hostname (labels of letters, digits, inner dashes; ≤ 253 chars), else why not. */
export function hostnameProblem(host: string): string | null {
  if (/[^\x21-\x7e]/.test(host)) {
    const ascii = /[\s\x00-\x1f\x7f]/.test(host) ? '' : domainToASCII(host);
    return `"${host}" is not an ASCII hostname${ascii ? `; write its punycode form "${ascii}"` : ' (whitespace or control characters)'}`;
  }
  if (host.length > 253 || !host.split('.').every((l) => LABEL.test(l))) return `"${host}" is not a hostname (letters, digits and inner dashes in dot-separated labels)`;
  return null;
}

const CONTROL = /[\x00-\x1f\x7f]/;

/** null when `p` is a safe absolute path: no `..`, no quotes, backslashes, newlines or control characters. */
export function pathProblem(p: string): string | null {
  if (p.includes('{{')) return null;
  if (!p.startsWith('/')) return `"${p}" must be an absolute path (starting with /)`;
  if (p.split('/').includes('..')) return `"${p}" must not contain a ".." segment`;
  if (CONTROL.test(p)) return `${JSON.stringify(p)} holds a newline or control character`;
  if (/["'`\\]/.test(p)) return `${JSON.stringify(p)} holds a quote or backslash: it would break the TOML manifest and shell commands it is written into`;
  return null;
}

/** A value written into a TOML basic string, a condition string or a Caddyfile word: no quote, backslash or control character. */
function valueProblem(v: string): string | null {
  if (CONTROL.test(v)) return `${JSON.stringify(v)} holds a newline or control character`;
  if (/["`\\]/.test(v)) return `${JSON.stringify(v)} holds a quote or backslash: it would not be escaped in the TOML manifest, the smoke conditions and the Caddyfile it is written into`;
  return null;
}

function duplicates(values: { value: string; path: PropertyKey[] }[], what: string, add: (path: PropertyKey[], message: string) => void) {
  const seen = new Map<string, PropertyKey[]>();
  for (const v of values) {
    const first = seen.get(v.value);
    if (first) add(v.path, `${what} "${v.value}" is also used at ${keyPath(first)}: each identity needs its own`);
    else seen.set(v.value, v.path);
  }
}

const norm = (p: string) => p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

export function checkSemantics(rb: Runbook): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const add = (path: PropertyKey[], message: string) => out.push({ path: keyPath(path), message });
  const ids = rb.identities;

  duplicates(ids.map((x, i) => ({ value: x.host.toLowerCase(), path: ['identities', i, 'host'] })), 'host', add);
  duplicates(ids.map((x, i) => ({ value: x.legacy_container, path: ['identities', i, 'legacy_container'] })), 'legacy container', add);
  duplicates(ids.map((x, i) => ({ value: norm(x.data_dir), path: ['identities', i, 'data_dir'] })), 'data dir', add);
  ids.forEach((x, i) => {
    ids.forEach((y, j) => {
      if (i !== j && norm(y.data_dir).startsWith(`${norm(x.data_dir)}/`)) add(['identities', j, 'data_dir'], `data dir "${y.data_dir}" lies inside ${keyPath(['identities', i, 'data_dir'])} "${x.data_dir}": each identity needs its own`);
    });
  });

  ids.forEach((x, i) => {
    const at = ['identities', i];
    const h = hostnameProblem(x.host);
    if (h) add([...at, 'host'], h);
    for (const k of ['legacy_keys', 'legacy_db', 'data_dir'] as const) {
      const p = pathProblem(x[k]);
      if (p) add([...at, k], p);
    }
    for (const k of ['url', 'actor_name'] as const) {
      const v = x[k];
      const p = v === undefined ? null : valueProblem(v);
      if (p) add([...at, k], p);
    }
    try {
      const u = new URL(x.url);
      if (u.hostname && hostnameProblem(u.hostname)) add([...at, 'url'], `the URL's host ${hostnameProblem(u.hostname)}`);
    } catch {
      // the schema reports a bad URL
    }
  });

  (rb.proxy?.sites ?? []).forEach((s, i) => {
    const h = hostnameProblem(s.replace(/^[a-z]+:\/\//i, '').replace(/:\d+$/, ''));
    if (h) add(['proxy', 'sites', i], h);
  });
  (rb.proxy?.also_dials_legacy ?? []).forEach((s, i) => {
    const h = hostnameProblem(s);
    if (h) add(['proxy', 'also_dials_legacy', i], h);
  });
  out.push(...holdOrderProblems(rb));
  for (const [path, v] of [
    [['proxy', 'caddyfile'], rb.proxy?.caddyfile],
    [['runbook', 'state_dir'], rb.runbook.state_dir],
  ] as const) {
    const p = v === undefined ? null : pathProblem(v);
    if (p) add([...path], p);
  }
  return out;
}

/**
 * Hold mode's order ([proxy] hold): proxy.repoint holds requests until the new daemon answers, and ANY Caddy
 * reload fails the requests it holds. So after the repoint: no other proxy step until proxy.release, a
 * service.start and a public smoke before proxy.release, and proxy.release present (or the hold settings
 * would stay). Without [proxy] hold, proxy.release has nothing to take out.
 */
export function holdOrderProblems(rb: Runbook): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const add = (path: PropertyKey[], message: string) => out.push({ path: keyPath(path), message });
  const steps = rb.steps;
  const repoint = steps.findIndex((s) => s.action === 'proxy.repoint');
  const release = steps.findIndex((s) => s.action === 'proxy.release');
  if (!rb.proxy?.hold) {
    if (release >= 0) add(['steps', release, 'action'], 'proxy.release takes hold mode\'s settings out of the Caddyfile: it needs [proxy] hold (e.g. hold = "15s"), or remove the step');
    return out;
  }
  if (repoint < 0) return out;
  if (release < 0) {
    add(['proxy', 'hold'], 'hold mode needs a proxy.release step after the public smoke that follows proxy.repoint (without it the hold settings stay in the Caddyfile)');
    return out;
  }
  if (release < repoint) {
    add(['steps', release, 'action'], 'proxy.release must come after proxy.repoint');
    return out;
  }
  for (let k = repoint + 1; k < release; k++) {
    const a = steps[k]!.action;
    if (a.startsWith('proxy.')) add(['steps', k, 'action'], `${a} reloads Caddy between the hold-mode repoint and proxy.release: a reload fails every request Caddy is holding; move it after the release`);
  }
  const start = steps.findIndex((s, k) => k > repoint && k < release && s.action === 'service.start');
  const smoke = steps.findIndex((s, k) => k > start && k < release && s.action === 'smoke' && (s as Record<string, unknown>).vantage === 'public');
  if (start < 0) add(['steps', release, 'action'], 'hold mode: no service.start between proxy.repoint and proxy.release, so nothing would answer the requests Caddy holds');
  else if (smoke < 0) add(['steps', release, 'action'], 'hold mode: proxy.release must follow a public smoke (vantage = "public") of the started daemon');
  return out;
}
