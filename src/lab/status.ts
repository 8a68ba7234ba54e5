// `lab status`: one snapshot of the lab — Caddy addresses, containers, identities, device timeline, faults.
import { existsSync, readFileSync } from 'node:fs';
import { parseTimeline, timelineSummary, type IdentitySummary } from '../engine/client-timeline.ts';
import { labIsUp } from './down.ts';
import { readFaults, type FaultName } from './faults.ts';
import { readJson } from './fsutil.ts';
import { labLayout, type LabConfig } from './layout.ts';
import { canConnect, livePid } from './procs.ts';
import { runningServiceNames, servicePid } from './services.ts';
import { readState } from './state.ts';

export interface LabStatus {
  dir: string;
  up: boolean;
  caddy: { http: string; admin: string; running: boolean } | null;
  containers: { name: string; status: string; ipv4: string | null; services: Record<string, 'running' | 'stopped'>; config: Record<string, string> }[];
  identities: { slug: string; host: string; container: string; publicKey: string; tokens: { name: string; token: string }[] }[];
  devices: { timeline: string; summary: Record<string, IdentitySummary> };
  faults: FaultName[];
  env: { CUTOVER_LAB_DIR: string; CUTOVER_INCUS: string };
}

export function maskToken(token: string): string {
  return token.length <= 8 ? '…' : `${token.slice(0, 6)}…${token.slice(-2)}`;
}

export async function labStatus(dir: string, opts: { showTokens?: boolean } = {}): Promise<LabStatus | null> {
  const layout = labLayout(dir);
  const config = readJson<LabConfig>(layout.config);
  if (!config) return null;
  const { ip, httpPort, adminPort } = config.caddy;
  const caddyRunning = livePid(layout.caddyPid, dir) !== null && (await canConnect(ip, adminPort));
  const events = existsSync(layout.timeline) ? parseTimeline(readFileSync(layout.timeline, 'utf8')) : [];
  return {
    dir,
    up: labIsUp(dir),
    caddy: { http: `http://${ip}:${httpPort}`, admin: `http://${ip}:${adminPort}`, running: caddyRunning },
    containers: readState(dir).containers.map((c) => {
      const services: Record<string, 'running' | 'stopped'> = {};
      for (const s of new Set([...c.enabledServices, ...runningServiceNames(dir, c.name)])) services[s] = servicePid(dir, c.name, s) ? 'running' : 'stopped';
      return { name: c.name, status: c.status, ipv4: c.status === 'Running' ? c.ip : null, services, config: c.config };
    }),
    identities: config.identities.map((i) => ({
      slug: i.slug,
      host: i.host,
      container: i.container,
      publicKey: i.publicKey,
      tokens: i.tokens.map((t) => ({ name: t.name, token: opts.showTokens ? t.token : maskToken(t.token) })),
    })),
    devices: { timeline: layout.timeline, summary: timelineSummary(events, { now: Date.now() }) },
    faults: readFaults(dir).active,
    env: { CUTOVER_LAB_DIR: dir, CUTOVER_INCUS: layout.incus },
  };
}

export function formatLabStatus(s: LabStatus): string {
  const lines: string[] = [];
  lines.push(`lab ${s.dir}: ${s.up ? 'up' : 'DOWN (run `cutover lab up`)'}`);
  if (s.caddy) lines.push(`caddy   ${s.caddy.http}  admin ${s.caddy.admin}  ${s.caddy.running ? '✓ running' : '✗ not running'}`);
  lines.push('containers:');
  for (const c of s.containers) {
    const svc = Object.entries(c.services).map(([n, st]) => `${n} ${st === 'running' ? '✓' : '✗'} ${st}`).join(', ');
    const flags = ['boot.autostart', 'security.protection.delete'].filter((k) => k in c.config).map((k) => `${k}=${c.config[k]}`).join(' ');
    lines.push(`  ${c.name.padEnd(12)} ${c.status.padEnd(8)} ${(c.ipv4 ?? '-').padEnd(13)} ${svc}${flags ? `  ${flags}` : ''}`);
  }
  lines.push('identities:');
  for (const i of s.identities) {
    const d = s.devices.summary[i.slug];
    const dev = d ? `devices ${d.ok}/${d.requests} ok, last ${d.lastStatus ?? '-'}, longest outage ${(d.longestOutageMs / 1000).toFixed(1)} s` : 'devices: no calls yet';
    lines.push(`  ${i.host.padEnd(18)} ${i.container.padEnd(12)} ${i.tokens.map((t) => `${t.name}=${t.token}`).join(' ')}  ${dev}`);
  }
  lines.push(`faults: ${s.faults.length ? s.faults.join(', ') : 'none'}`);
  lines.push(`timeline: ${s.devices.timeline}`);
  lines.push(`use it: export CUTOVER_LAB_DIR=${s.env.CUTOVER_LAB_DIR} CUTOVER_INCUS=${s.env.CUTOVER_INCUS}`);
  return lines.join('\n') + '\n';
}
