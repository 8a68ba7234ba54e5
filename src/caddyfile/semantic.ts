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

export interface DialMove {
  host: string;
  /** Dials (`host:port`) of the legacy container that move to the new upstream. */
  legacy: string[];
}

const dedupe = (list: unknown[]) => {
  const seen = new Set<string>();
  return list.filter((u) => {
    const k = JSON.stringify(u);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/**
 * Differences between two adapted configs that are NOT the intended repoint: in the named hosts' reverse_proxy
 * handlers, each upstream dialling a legacy dial now dials `newUpstream` (with `collapse`, a handler that dialled
 * one becomes `newUpstream` alone); every other byte of the config is unchanged. Empty list: exactly that.
 */
export function unintendedDifferences(oldConfig: unknown, newConfig: unknown, moves: DialMove[], newUpstream: string, mixed: 'refuse' | 'replace_legacy' | 'collapse' = 'refuse'): string[] {
  const legacyOf = new Map(moves.map((m) => [m.host.toLowerCase(), new Set(m.legacy.map((d) => d.toLowerCase()))]));
  const dial = dialOfUpstream(newUpstream);
  const special = new Map<string, (a: unknown, b: unknown) => string | null>();
  for (const p of proxyHandlers(oldConfig)) {
    const legacy = new Set(p.hosts.flatMap((h) => [...(legacyOf.get(h) ?? [])]));
    if (!p.dials.some((d) => legacy.has(d.toLowerCase()))) continue;
    special.set(JSON.stringify(p.upstreamsPath), (a, b) => {
      const before = Array.isArray(a) ? a : [];
      const isLegacy = (u: unknown) => typeof u === 'object' && u !== null && legacy.has(String((u as { dial?: unknown }).dial).toLowerCase());
      const mapped = before.map((u) => (isLegacy(u) ? { ...(u as object), dial } : u));
      const expected = dedupe(mixed === 'collapse' || mapped.every((u) => JSON.stringify(u) === JSON.stringify({ dial })) ? [{ dial }] : mapped);
      const got = dedupe(Array.isArray(b) ? b : []);
      return JSON.stringify(got) === JSON.stringify(expected) ? null : `upstreams ${show(b)}, expected ${show(expected)}`;
    });
  }
  const out: string[] = [];
  deepDiff(oldConfig, newConfig, [], special, out);
  const after = dialsByHost(newConfig);
  for (const [host, legacy] of legacyOf) {
    const dials = after.get(host);
    if (!dials) out.push(`${host}: no route for this host in the new config`);
    else {
      const left = dials.filter((d) => legacy.has(d.toLowerCase()));
      if (left.length) out.push(`${host}: would still dial the legacy ${left.join(', ')}`);
      if (!dials.includes(dial)) out.push(`${host}: would dial ${dials.join(', ')}, not ${dial}`);
    }
  }
  return out;
}

/** Every difference between two configs, as "path: old → new". */
export function configDifferences(a: unknown, b: unknown): string[] {
  const out: string[] = [];
  deepDiff(a, b, [], new Map(), out);
  return out;
}
