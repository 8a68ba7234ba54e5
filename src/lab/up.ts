// `lab up`: builds a fake fismen in a lab directory — legacy containers with seeded posta identities and
// running daemons, a real Caddy in front (supervised), device simulators, optional faults.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bundleLab } from './bundle.ts';
import { labCaddyfile } from './caddyfile.ts';
import { createContainer, setEnabledService, startContainer } from './containers.ts';
import { labDown, labIsUp } from './down.ts';
import { armAutostart, setFault, type FaultName } from './faults.ts';
import { ensureDir, writeFileAtomic, writeJsonAtomic } from './fsutil.ts';
import { legacyInitScript } from './init-script.ts';
import { LAB_DEFAULTS, LEGACY_IDENTITIES, labLayout, rootfsDir, type LabConfig, type LabIdentity } from './layout.ts';
import { seedIdentity } from './posta/seed.ts';
import { canConnect, cmdline, inLabSubnet, listeningSockets, waitFor } from './procs.ts';
import { readState } from './state.ts';

export interface LabUpOptions {
  dir: string;
  identities?: number;
  faults?: FaultName[];
  /** Inbox rows per identity. */
  messages?: number;
  progress?: (line: string) => void;
}

export class LabError extends Error {}

export async function labUp(opts: LabUpOptions): Promise<LabConfig> {
  const started = Date.now();
  const { dir } = opts;
  const say = (s: string) => opts.progress?.(`lab: ${s} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const layout = labLayout(dir);
  const count = opts.identities ?? LEGACY_IDENTITIES.length;
  if (!Number.isInteger(count) || count < 1 || count > 40) throw new LabError(`--identities must be 1…40, got ${opts.identities}`);

  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(layout.config) && !existsSync(layout.state)) {
    throw new LabError(`${dir} is not empty and is not a lab directory; refusing to build a lab over it (choose another --dir)`);
  }
  if (existsSync(layout.config) || existsSync(layout.state)) {
    if (labIsUp(dir)) say('a lab is running here: taking it down to rebuild');
    await labDown(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  const ip: string = LAB_DEFAULTS.caddyIp;
  const subnet = ip.split('.').slice(0, 3).join('.');
  const containerIps = Array.from({ length: count + 1 }, (_, i) => `${subnet}.${LAB_DEFAULTS.firstContainerHost + i}`);
  await assertFree([
    [ip, LAB_DEFAULTS.httpPort],
    [ip, LAB_DEFAULTS.adminPort],
    ...containerIps.map((a) => [a, LAB_DEFAULTS.daemonPort] as [string, number]),
  ]);

  ensureDir(dir);
  await bundleLab(dir);
  say('bundled incus, posta-server, caddy wrapper, supervisor');

  const people = identityNames(count);
  const config: LabConfig = {
    version: 1,
    createdAt: new Date().toISOString(),
    caddy: { ip, httpPort: LAB_DEFAULTS.httpPort, adminPort: LAB_DEFAULTS.adminPort },
    subnet,
    firstContainerHost: LAB_DEFAULTS.firstContainerHost,
    daemonPort: LAB_DEFAULTS.daemonPort,
    identities: [],
  };
  writeJsonAtomic(layout.config, config);
  writeJsonAtomic(layout.faults, { active: [] });
  for (const f of opts.faults ?? []) setFault(dir, f, true);

  for (const p of people) {
    const container = `${p.slug}-msg`;
    const host = `${p.slug}.posta.no`;
    createContainer(dir, container, 'images:alpine/3.21');
    const root = rootfsDir(dir, container);
    copyFileSync(layout.postaLauncher, join(root, 'usr/local/bin/posta-server'));
    chmodSync(join(root, 'usr/local/bin/posta-server'), 0o755);
    writeFileAtomic(join(root, 'etc/init.d/posta'), legacyInitScript({ url: `https://${host}`, name: p.name, port: LAB_DEFAULTS.daemonPort }), 0o755);
    const seeded = seedIdentity({ root, keys: '/var/lib/posta/keys.json', db: '/var/lib/posta/inbox.db', name: p.name, tokens: ['tui-dev', 'phone'], messages: opts.messages ?? 300 });
    setEnabledService(dir, container, 'posta', true);
    config.identities.push({ slug: p.slug, name: p.name, host, container, publicKey: seeded.publicKey, tokens: seeded.tokens } satisfies LabIdentity);
  }
  writeJsonAtomic(layout.config, config);
  // The autostart fault's boot.autostart=true needs the legacy containers, which exist only now.
  if (opts.faults?.includes('autostart')) armAutostart(dir);
  say(`seeded ${people.length} identities`);

  const problems = (await Promise.all(config.identities.map((i) => startContainer(dir, i.container)))).flat();
  if (problems.length) throw new LabError(`legacy daemons did not start:\n${problems.join('\n')}\n(logs: ${join(layout.containers, '<name>/rootfs/var/log/posta.log')})`);
  say('legacy containers running');

  const byName = new Map(readState(dir).containers.map((c) => [c.name, c.ip] as const));
  writeFileAtomic(
    layout.caddyfile,
    labCaddyfile({ ip, httpPort: config.caddy.httpPort, adminPort: config.caddy.adminPort, sites: config.identities.map((i) => ({ host: i.host, upstream: `${byName.get(i.container)}:${config.daemonPort}` })) }),
    0o644,
  );
  ensureDir(layout.caddyHome);
  ensureDir(layout.logs);
  const out = openSync(join(layout.logs, 'supervisor.out'), 'a', 0o600);
  const sup = spawn(process.execPath, [join(layout.lib, 'supervisor.mjs'), dir], { detached: true, stdio: ['ignore', out, out], cwd: dir });
  sup.unref();
  const caddyUp = await waitFor(async () => (await canConnect(ip, config.caddy.adminPort)) && (await canConnect(ip, config.caddy.httpPort)), 8000, 50);
  if (!caddyUp) {
    await labDown(dir);
    throw new LabError(`Caddy did not come up on ${ip}:${config.caddy.httpPort} (admin ${ip}:${config.caddy.adminPort}); see ${join(layout.logs, 'caddy.log')}`);
  }
  say(`Caddy on http://${ip}:${config.caddy.httpPort}, admin ${ip}:${config.caddy.adminPort}; devices calling every 250 ms`);
  return config;
}

function identityNames(n: number): { slug: string; name: string }[] {
  return Array.from({ length: n }, (_, i) => LEGACY_IDENTITIES[i] ?? { slug: `user${i + 1}`, name: `User${i + 1}` });
}

/** Fails clearly when an address the lab needs is taken (another lab, or anything else). */
async function assertFree(addrs: [string, number][]): Promise<void> {
  for (const [host, port] of addrs) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
    });
    if (free) continue;
    const owner = listeningSockets(inLabSubnet).find((s) => s.address === host && s.port === port);
    const who = owner?.pids.map((p) => `pid ${p}: ${cmdline(p).slice(0, 160)}`).join('; ') || 'unknown process';
    const labDir = owner?.pids.map((p) => /--config (\S+)\/caddy\/Caddyfile/.exec(cmdline(p))?.[1] ?? /--root (\S+)\/containers\//.exec(cmdline(p))?.[1]).find(Boolean);
    const hint = labDir ? `another lab is running in ${labDir}: take it down with \`cutover lab down --dir ${labDir}\`` : 'stop that process, or take the other lab down with `cutover lab down --dir DIR`';
    throw new LabError(`address ${host}:${port} is in use (${who}); ${hint}`);
  }
}
