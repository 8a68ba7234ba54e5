// The real lane's legacy world, built on a real Incus daemon inside the lane's network namespace
// (scripts/test-incus.sh): arne-msg, marcus-msg, tarald-msg from the Debian 12 + OpenRC image, each running the
// posta stand-in single-tenant under OpenRC's supervise-daemon with a seeded identity (keys.json, inbox.db,
// device tokens); a real Caddy in front on 127.0.0.1:8080 (admin :2019) of the namespace's own loopback; one
// device per identity calling through Caddy. Every address used here exists only inside that namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttp } from '../../src/adapters/http.ts';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { startDevices, type Devices } from '../../src/lab/devices/simulator.ts';
import { LEGACY_IDENTITIES, type LabIdentity } from '../../src/lab/layout.ts';
import { bundlePostaServer } from '../../src/lab/posta/bundle.ts';
import type { FullRuntime, Runtime } from '../../src/ports.ts';

export const LANE_DIR = need('CUTOVER_INCUS_LANE_DIR');
export const IMAGE = process.env['CUTOVER_INCUS_IMAGE'] ?? 'cutover-debian12-openrc';
export const PROFILE = process.env['CUTOVER_INCUS_PROFILE'] ?? 'cutover-lane';
export const CADDY = { admin: 'http://127.0.0.1:2019', url: 'http://127.0.0.1:8080', port: 8080 };
export const DAEMON_PORT = 8080;
export const LEGACY = LEGACY_IDENTITIES.map((p) => `${p.slug}-msg`);

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the real lane through \`npm run test:incus\` (scripts/test-incus.sh), which creates the lane's namespace and directory`);
  return v;
}

/** The single-tenant init script of a legacy container (the lab's, with supervise-daemon: see the runbook). */
export function legacyInit(o: { url: string; name: string }): string {
  return `#!/sbin/openrc-run
name="posta"
supervisor=supervise-daemon
command="/usr/local/bin/posta-server"
command_args="serve --listen 0.0.0.0:${DAEMON_PORT} --url ${o.url} --keys /var/lib/posta/keys.json --db /var/lib/posta/inbox.db --name ${o.name}"
output_log="/var/log/posta.log"
error_log="/var/log/posta.log"
`;
}

/** A lab identity (src/lab/layout.ts) with the address its container got on the lane's bridge. */
export interface WorldIdentity extends LabIdentity {
  ip: string;
}

export interface World {
  runtime: FullRuntime;
  env: Record<string, string>;
  identities: WorldIdentity[];
  caddyfile: string;
  stop(): Promise<void>;
}

/** Runs `argv` in a container; throws with its output when it fails. */
export async function sh(rt: Runtime, name: string, script: string): Promise<string> {
  const r = await rt.exec(name, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`${name}: sh -c ${JSON.stringify(script)} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Waits until the instance has an IPv4 on the lane's bridge (udhcpc from OpenRC). */
export async function waitIpv4(rt: Runtime, name: string, ms = 60_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const i = await rt.get(name);
    if (i?.ipv4) return i.ipv4;
    if (Date.now() > until) throw new Error(`${name} has no IPv4 after ${ms / 1000} s (status ${i?.status ?? 'missing'})`);
    await sleep(300);
  }
}

/** Waits until GET http://IP:PORT/ with Host answers 200. */
export async function waitHttp(ip: string, host: string, ms = 30_000): Promise<void> {
  const http = createHttp({ defaultTimeoutMs: 1000 });
  const until = Date.now() + ms;
  try {
    for (;;) {
      const ok = await http.request({ url: `http://${ip}:${DAEMON_PORT}/`, host }).then((r) => r.status === 200, () => false);
      if (ok) return;
      if (Date.now() > until) throw new Error(`posta at ${ip}:${DAEMON_PORT} (${host}) did not answer 200 within ${ms / 1000} s`);
      await sleep(200);
    }
  } finally {
    await http.close();
  }
}

export function caddyfileFor(sites: { host: string; upstream: string }[]): string {
  return [
    `{\n\tadmin 127.0.0.1:2019\n\tauto_https off\n\thttp_port ${CADDY.port}\n}\n`,
    '# posta identities (cutover real Incus lane): one site per identity, plain HTTP inside the lane namespace\n',
    ...sites.map((s) => `http://${s.host} {\n\tbind 127.0.0.1\n\treverse_proxy ${s.upstream}\n}\n`),
  ].join('\n');
}

/** Builds the legacy world; `stop()` ends the devices and Caddy (the containers are the lane's to delete). */
export async function buildWorld(): Promise<World> {
  const runtime = createIncusRuntime({ env: process.env });
  const bin = join(LANE_DIR, 'bin');
  mkdirSync(bin, { recursive: true });
  const posta = join(bin, 'posta-server');
  await bundlePostaServer(posta);
  const initDir = join(LANE_DIR, 'init');
  mkdirSync(initDir, { recursive: true });

  const identities = await Promise.all(
    LEGACY_IDENTITIES.map(async (p): Promise<WorldIdentity> => {
      const container = `${p.slug}-msg`;
      const host = `${p.slug}.posta.no`;
      await runtime.launch(container, IMAGE, { profile: PROFILE });
      await runtime.pushFile(container, posta, '/usr/local/bin/posta-server', { mode: 0o755, uid: 0, gid: 0, createDirs: true });
      const init = join(initDir, `${container}.posta`);
      writeFileSync(init, legacyInit({ url: `https://${host}`, name: p.name }));
      await runtime.pushFile(container, init, '/etc/init.d/posta', { mode: 0o755, uid: 0, gid: 0 });
      const seeded = JSON.parse(
        await sh(runtime, container, `mkdir -p /var/lib/posta && /usr/local/bin/posta-server seed --keys /var/lib/posta/keys.json --db /var/lib/posta/inbox.db --name ${p.name} --tokens tui-dev,phone --messages 300`),
      ) as { publicKey: string; tokens: { name: string; token: string }[] };
      await sh(runtime, container, 'rc-update add posta default >/dev/null && rc-service posta start');
      const ip = await waitIpv4(runtime, container);
      await waitHttp(ip, host);
      return { slug: p.slug, name: p.name, host, container, publicKey: seeded.publicKey, tokens: seeded.tokens, ip };
    }),
  );

  const caddyDir = join(LANE_DIR, 'caddy');
  mkdirSync(caddyDir, { recursive: true });
  const caddyfile = join(caddyDir, 'Caddyfile');
  writeFileSync(caddyfile, caddyfileFor(identities.map((i) => ({ host: i.host, upstream: `${i.ip}:${DAEMON_PORT}` }))));
  const caddyHome = join(LANE_DIR, 'caddy-home');
  mkdirSync(caddyHome, { recursive: true });
  const caddy: ChildProcess = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, HOME: caddyHome, XDG_DATA_HOME: join(caddyHome, 'data'), XDG_CONFIG_HOME: join(caddyHome, 'config') },
  });
  const http = createHttp({ defaultTimeoutMs: 1000 });
  try {
    const until = Date.now() + 15_000;
    for (;;) {
      const ok = await http.request({ url: `${CADDY.url}/`, host: identities[0]!.host }).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (caddy.exitCode !== null || Date.now() > until) throw new Error(`Caddy did not come up on ${CADDY.url} (exit ${caddy.exitCode})`);
      await sleep(100);
    }
  } finally {
    await http.close();
  }
  const devices: Devices = await startDevices({
    caddyUrl: CADDY.url,
    identities: identities.map((i) => ({ slug: i.slug, host: i.host, token: i.tokens.find((t) => t.name === 'tui-dev')!.token })),
    timelineFile: join(LANE_DIR, 'devices.jsonl'),
  });
  return {
    runtime,
    env: { CUTOVER_INCUS_LANE_DIR: LANE_DIR },
    identities,
    caddyfile,
    async stop() {
      await devices.stop();
      caddy.kill('SIGTERM');
      await new Promise((r) => (caddy.exitCode !== null ? r(null) : caddy.once('exit', r)));
    },
  };
}
