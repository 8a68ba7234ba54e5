// The semantic check of a Caddyfile edit: adapt old and new to JSON and require that the ONLY differences
// are the upstreams of the named hosts' reverse_proxy handlers, each now dialling the intended address.
import { dialOfUpstream, dialsByHost, proxyHandlers } from './dials.ts';

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
};
const pathText = (path: (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');

function deepDiff(a: unknown, b: unknown, path: (string | number)[], special: Map<string, (a: unknown, b: unknown) => string | null>, out: string[]): void {
  const key = JSON.stringify(path);
  const rule = special.get(key);
  if (rule) {
    const why = rule(a, b);
    if (why) out.push(`${pathText(path)}: ${why}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${pathText(path)}: ${a.length} entries → ${b.length} entries`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) deepDiff(a[i], b[i], [...path, i], special, out);
    return;
  }
  const objA = typeof a === 'object' && a !== null && !Array.isArray(a);
  const objB = typeof b === 'object' && b !== null && !Array.isArray(b);
  if (objA && objB) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) deepDiff(ra[k], rb[k], [...path, k], special, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${pathText(path)}: ${show(a)} → ${show(b)}`);
}

/**
 * Differences between two adapted configs that are NOT the intended repoint of `hosts` to `newUpstream`.
 * Empty list: the edit changes exactly the intended dials and nothing else.
 */
export function unintendedDifferences(oldConfig: unknown, newConfig: unknown, hosts: string[], newUpstream: string): string[] {
  const wanted = new Set(hosts.map((h) => h.toLowerCase()));
  const dial = dialOfUpstream(newUpstream);
  const special = new Map<string, (a: unknown, b: unknown) => string | null>();
  for (const p of proxyHandlers(oldConfig)) {
    if (!p.hosts.some((h) => wanted.has(h))) continue;
    special.set(JSON.stringify(p.upstreamsPath), (_a, b) => {
      const ups = Array.isArray(b) ? b : [];
      const wrong = ups.filter((u) => JSON.stringify(u) !== JSON.stringify({ dial }));
      return ups.length && !wrong.length ? null : `upstreams ${show(b)}, expected [{"dial":"${dial}"}]`;
    });
  }
  const out: string[] = [];
  deepDiff(oldConfig, newConfig, [], special, out);
  const after = dialsByHost(newConfig);
  for (const host of wanted) {
    const dials = after.get(host);
    if (!dials) out.push(`${host}: no route for this host in the new config`);
    else if (dials.length !== 1 || dials[0] !== dial) out.push(`${host}: would dial ${dials.join(', ')}, expected ${dial}`);
  }
  return out;
}

/** Every difference between two configs, as "path: old → new". */
export function configDifferences(a: unknown, b: unknown): string[] {
  const out: string[] = [];
  deepDiff(a, b, [], new Map(), out);
  return out;
}
