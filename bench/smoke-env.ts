// The smoke sweep's world: ONE multi-tenant posta stand-in serving N identities (--manifest, Host
// dispatch) behind a real Caddy with one site per identity, on the lab's loopback plan (Caddy on
// 127.0.10.1:8080, admin :2019). Same fixed ports as the lab: run the bench under /tmp/cutover-lab.lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundlePostaServer } from '../src/lab/posta/bundle.ts';
import { labCaddyfile } from '../src/lab/caddyfile.ts';
import { LAB_DEFAULTS } from '../src/lab/layout.ts';
import { canConnect, waitFor } from '../src/lab/procs.ts';
import { seedMultiTenant, type SeededFixture } from '../test/helpers/posta-standin.ts';

/** Far from the addresses `lab up` hands out (.11 upwards). */
export const STANDIN_IP = '127.0.10.250';

export interface SmokeWorld {
  identities: SeededFixture[];
  standin: { ip: string; port: number };
  caddy: { ip: string; httpPort: number; adminPort: number };
  stop(): Promise<void>;
}

export async function startSmokeWorld(dir: string, count: number, log: (s: string) => void): Promise<SmokeWorld> {
  const caddy = { ip: LAB_DEFAULTS.caddyIp, httpPort: LAB_DEFAULTS.httpPort, adminPort: LAB_DEFAULTS.adminPort };
  const port = LAB_DEFAULTS.daemonPort;
  for (const [host, p] of [[caddy.ip, caddy.httpPort], [caddy.ip, caddy.adminPort], [STANDIN_IP, port]] as const) {
    if (await canConnect(host, p)) throw new Error(`${host}:${p} is in use (a lab or another bench?); take it down first (cutover lab down --dir DIR)`);
  }
  const root = join(dir, 'posta-root');
  mkdirSync(root, { recursive: true });
  const slugs = Array.from({ length: count }, (_, i) => `user${i + 1}`);
  const identities = seedMultiTenant(root, slugs, 5);
  log(`smoke: seeded ${count} identities`);
  const bin = join(dir, 'posta-server');
  await bundlePostaServer(bin);
  log('smoke: stand-in bundled');

  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const killer = setTimeout(() => p.kill('SIGKILL'), 3000);
            p.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const out = openSync(join(dir, 'posta.log'), 'a', 0o600);
    procs.push(
      spawn(process.execPath, [bin, 'serve', '--listen', `${STANDIN_IP}:${port}`, '--manifest', '/etc/posta/identities.toml', '--root', root], {
        stdio: ['ignore', out, out],
        env: { ...process.env, POSTA_FAULTS: '', POSTA_LISTEN: '' },
      }),
    );
    const caddyDir = join(dir, 'caddy');
    mkdirSync(join(caddyDir, 'home'), { recursive: true });
    const caddyfile = join(caddyDir, 'Caddyfile');
    writeFileSync(caddyfile, labCaddyfile({ ...caddy, sites: identities.map((i) => ({ host: i.host, upstream: `${STANDIN_IP}:${port}` })) }));
    const home = join(caddyDir, 'home');
    const caddyOut = openSync(join(dir, 'caddy.log'), 'a', 0o600);
    procs.push(
      spawn(process.env.CUTOVER_LAB_REAL_CADDY || '/usr/bin/caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
        stdio: ['ignore', caddyOut, caddyOut],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
      }),
    );
    log('smoke: stand-in and Caddy started, waiting for their ports');
    const up = await waitFor(async () => (await canConnect(STANDIN_IP, port)) && (await canConnect(caddy.ip, caddy.httpPort)) && (await canConnect(caddy.ip, caddy.adminPort)), 20_000, 50);
    if (!up) throw new Error(`stand-in or Caddy did not come up (logs in ${dir}/posta.log, ${dir}/caddy.log)`);
    log(`smoke: ${count} identities on one stand-in ${STANDIN_IP}:${port} behind Caddy ${caddy.ip}:${caddy.httpPort}`);
    return { identities, standin: { ip: STANDIN_IP, port }, caddy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The posta smoke checks of the lab status runbook, one identity per fixture, Caddy as the public vantage. */
export function sweepRunbook(world: SmokeWorld): string {
  const q = JSON.stringify;
  const ids = world.identities;
  return [
    `[runbook]\nname = "bench-smoke"\nhost = "fismen-lab"\n`,
    `[[containers]]\nname = "posta"\nrole = "target"\n`,
    ...ids.map((i) => `[[containers]]\nname = ${q(`${i.slug}-msg`)}\nrole = "legacy"\n`),
    `[proxy]\ncaddyfile = "/nonexistent/Caddyfile"\nadmin = "http://${world.caddy.ip}:${world.caddy.adminPort}"\n` +
      `sites = [${ids.map((i) => q(i.host)).join(', ')}]\npublic_url = "http://${world.caddy.ip}:${world.caddy.httpPort}"\n`,
    ...ids.map(
      (i) =>
        `[[identities]]\nslug = ${q(i.slug)}\nhost = ${q(i.host)}\nurl = ${q(i.url)}\nlegacy_container = ${q(`${i.slug}-msg`)}\n` +
        `actor_name = ${q(i.name)}\nlegacy_keys = "/var/lib/posta/keys.json"\nlegacy_db = "/var/lib/posta/inbox.db"\n` +
        `data_dir = ${q(`/var/lib/posta/${i.slug}`)}\nport = ${world.standin.port}\n`,
    ),
    `[[smoke]]\nname = "actor"\npath = "/"\nconditions = ["status == 200", "body.name == {{identity.actor_name}}", "body.publicKey == {{baseline.public_key}}"]\n`,
    `[[smoke]]\nname = "401"\npath = "/api/v1/identity"\nconditions = ["status == 401"]\n`,
    `[[smoke]]\nname = "setup"\npath = "/setup"\nconditions = ["status == 200", "header.content-type contains html"]\n`,
    `[[smoke]]\nname = "410"\npath = "/api/v1/invite/info?invite=pinv_bogus"\nconditions = ["status == 410"]\n`,
    `[[smoke]]\nname = "auth"\npath = "/api/v1/identity"\nauth = "token"\nconditions = ["status == 200"]\n`,
    `[[steps]]\nid = "baseline"\ntitle = "record key fingerprints and token rows"\naction = "baseline"\n`,
  ].join('\n');
}
