// Upstreams panel: per declared site, the dial(s) in the Caddyfile on disk (through `caddy adapt`), the
// dial(s) in the live config (admin API, found by host match) and the live pool. The probe does the I/O and
// never throws; evaluateUpstreams is pure.
import type { Instance } from '../src/ports.ts';
import { systemClock, type Clock } from '../src/ports.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';
import { adapt, getConfig, getUpstreams, type PoolEntry } from '../src/adapters/caddy.ts';
import { dialsByHost } from '../src/caddyfile/dials.ts';
import { hostOfAddress } from '../src/caddyfile/parse.ts';
import type { Panel, UpstreamItem } from './types.ts';
import { panel } from './snapshot.ts';

export interface UpstreamObservation {
  sites: string[];
  caddyfile: string;
  /** host → dials from the Caddyfile on disk; null when it could not be adapted (see fileError). */
  fileDials: Record<string, string[]> | null;
  fileError?: string;
  liveDials: Record<string, string[]> | null;
  liveError?: string;
  pool: PoolEntry[] | null;
}

export type ContainersByIp = Map<string, { container: string; status: string }>;

const message = (err: unknown) => (err as Error).message;

export async function probeUpstreams(o: { caddyfile: string; admin: string; sites: string[]; caddyBinary?: string }): Promise<UpstreamObservation> {
  const [file, live, pool] = await Promise.allSettled([adapt(o.caddyfile, o.caddyBinary), getConfig(o.admin), getUpstreams(o.admin)]);
  const obs: UpstreamObservation = { sites: o.sites, caddyfile: o.caddyfile, fileDials: null, liveDials: null, pool: null };
  if (file.status === 'fulfilled') obs.fileDials = Object.fromEntries(dialsByHost(file.value.config));
  else obs.fileError = message(file.reason);
  if (live.status === 'fulfilled') obs.liveDials = Object.fromEntries(dialsByHost(live.value.config));
  else obs.liveError = message(live.reason);
  if (pool.status === 'fulfilled') obs.pool = pool.value;
  return obs;
}

export function containersByIp(instances: Instance[]): ContainersByIp {
  return new Map(instances.filter((i) => i.ipv4).map((i) => [i.ipv4!, { container: i.name, status: i.status }]));
}

/** The host part of a dial: "10.0.0.1:80" → "10.0.0.1", "[::1]:8080" → "::1". */
export function dialHost(dial: string): string {
  const m = dial.match(/^\[([^\]]+)\](:\d+)?$/);
  return m ? m[1]! : dial.replace(/:\d+$/, '');
}

const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((d, i) => d === [...b].sort()[i]);
const shown = (dials: string[] | undefined) => (dials === undefined ? '?' : dials.length ? dials.join(' ') : 'none');

export interface UpstreamExpectation {
  /** After a cutover: every site must point at this container. */
  container?: string;
}

/** `ref` names a container in the texts (REMOTE:NAME with runtime.remote); pointsAt and the lookups keep the bare name. */
export function evaluateUpstreams(obs: UpstreamObservation, byIp: ContainersByIp, expect: UpstreamExpectation = {}, ref: (name: string) => string = (n) => n): UpstreamItem[] {
  return obs.sites.map((site) => {
    const host = hostOfAddress(site) ?? site.toLowerCase();
    const fileDials = obs.fileDials?.[host];
    const liveDials = obs.liveDials?.[host];
    const live = liveDials ?? [];
    const targets = live.map((d) => ({ dial: d, at: byIp.get(dialHost(d)) }));
    const pointsAt = targets.find((t) => t.at)?.at?.container ?? null;
    const drift = fileDials !== undefined && liveDials !== undefined && !same(fileDials, liveDials);
    const reasons: string[] = [];
    if (obs.fileDials && fileDials === undefined) reasons.push(`${site} has no reverse_proxy route in ${obs.caddyfile}`);
    if (obs.liveDials && liveDials === undefined) reasons.push(`${site} has no reverse_proxy route in the live Caddy config`);
    if (drift) reasons.push(`${site}: drift, the file says ${shown(fileDials)} but Caddy serves ${shown(liveDials)} (file edited without reload, or changed through the admin API)`);
    for (const t of targets) {
      if (t.at && t.at.status !== 'Running') reasons.push(`${site} is served by ${t.dial}, container ${ref(t.at.container)}, which is ${t.at.status}`);
    }
    if (expect.container && obs.liveDials && pointsAt !== expect.container) reasons.push(`${site} should point at ${ref(expect.container)} but points at ${pointsAt ? ref(pointsAt) : shown(liveDials)}`);
    const ok = reasons.length ? false : obs.liveDials && obs.fileDials ? true : null;
    const pool = (obs.pool ?? []).filter((p) => live.includes(p.address));
    const actual =
      `file ${shown(fileDials)} → live ${shown(liveDials)}` +
      (pointsAt ? ` (${ref(pointsAt)} ${byIp.get(dialHost(targets.find((t) => t.at)!.dial))!.status})` : '') +
      (pool.length ? `; ${pool.map((p) => `${p.address} ${p.numRequests} req ${p.fails} fails`).join(', ')}` : '');
    const unknown = [obs.fileError && `file: ${obs.fileError}`, obs.liveError && `live: ${obs.liveError}`].filter(Boolean).join('; ');
    return {
      site,
      fileDials: fileDials ?? [],
      liveDials: live,
      pool,
      drift,
      pointsAt,
      ok,
      expected: `live = file${expect.container ? `, pointing at ${ref(expect.container)}` : ''}, serving container running`,
      actual,
      ...(reasons.length ? { why: reasons.join('; ') } : unknown ? { why: `cannot check ${site}: ${unknown}` } : {}),
    };
  });
}

/** The UpstreamsProbe of checks/snapshot.ts: reads runbook.proxy and judges against the listed instances. */
export async function upstreamsPanel(runbook: Runbook, instances: Instance[], o: { clock?: Clock; expect?: UpstreamExpectation } = {}): Promise<Panel<UpstreamItem>> {
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  const proxy = runbook.proxy;
  if (!proxy) return panel<UpstreamItem>('upstreams', [], started, clock, 'the runbook declares no [proxy]');
  const obs = await probeUpstreams({ caddyfile: proxy.caddyfile, admin: proxy.admin, sites: proxy.sites, ...(proxy.binary ? { caddyBinary: proxy.binary } : {}) });
  const items = evaluateUpstreams(obs, containersByIp(instances), o.expect, (n) => instanceRef(runbook, n));
  const error = obs.liveError ? `cannot read the live Caddy config: ${obs.liveError}` : undefined;
  return panel('upstreams', items, started, clock, error);
}
