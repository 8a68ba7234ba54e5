// The lab supervisor (bundled to <lab>/lib/supervisor.mjs, started detached by `lab up`): keeps Caddy and
// the device simulators running and plays the autostart fault (Incus restarting after a stop, with its rule). SIGTERM stops all it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { startContainer } from './containers.ts';
import { startDevices, type Devices } from './devices/simulator.ts';
import { hasFault } from './faults.ts';
import { ensureDir, readJson, writeFileAtomic } from './fsutil.ts';
import { labLayout, type LabConfig } from './layout.ts';
import { canConnect, removeFile, sleep, waitFor } from './procs.ts';
import { readState } from './state.ts';

/** How long after a legacy container stops the autostart fault restarts "Incus" (a host reboot). */
export const AUTOSTART_AFTER_MS = 3000;

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: supervisor.mjs LAB_DIR\n');
  process.exit(2);
}
const layout = labLayout(dir);
const config = readJson<LabConfig>(layout.config);
if (!config) {
  process.stderr.write(`supervisor: ${layout.config} missing\n`);
  process.exit(1);
}
ensureDir(layout.logs);
const log = (msg: string) => appendFileSync(join(layout.logs, 'supervisor.log'), `${new Date().toISOString()} ${msg}\n`, { mode: 0o600 });

let stopping = false;
let caddy: ChildProcess | null = null;
let devices: Devices | null = null;

function startCaddy(): void {
  const out = openSync(join(layout.logs, 'caddy.log'), 'a', 0o600);
  const home = layout.caddyHome;
  caddy = spawn(process.env.CUTOVER_LAB_REAL_CADDY || '/usr/bin/caddy', ['run', '--config', layout.caddyfile, '--adapter', 'caddyfile'], {
    stdio: ['ignore', out, out],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
  });
  writeFileAtomic(layout.caddyPid, `${caddy.pid}\n`);
  log(`caddy started pid ${caddy.pid}`);
  caddy.on('exit', (code, sig) => {
    log(`caddy exited (${code ?? sig})`);
    caddy = null;
    if (!stopping) setTimeout(() => !stopping && startCaddy(), 500);
  });
}

/**
 * The autostart fault: AUTOSTART_AFTER_MS after a legacy container stopped, Incus "restarts" and applies its
 * rule to it once: a container stopped with `incus stop` starts again only with boot.autostart=true (real
 * Incus: unset brings back only an instance that was running when the daemon went down; false never).
 */
async function autostartLoop(): Promise<void> {
  const legacy = new Set(config!.identities.map((i) => i.container));
  const judged = new Set<string>();
  while (!stopping) {
    await sleep(500);
    if (stopping || !hasFault(dir!, 'autostart')) continue;
    for (const c of readState(dir!).containers) {
      if (!legacy.has(c.name) || c.status !== 'Stopped' || c.stoppedAt === null || Date.now() - c.stoppedAt < AUTOSTART_AFTER_MS) continue;
      const stop = `${c.name}@${c.stoppedAt}`;
      if (judged.has(stop)) continue;
      judged.add(stop);
      if (c.config['boot.autostart'] !== 'true') {
        log(`autostart fault: Incus restarted; ${c.name} stays stopped (boot.autostart is ${c.config['boot.autostart'] ?? 'unset'}, and it was stopped with incus stop)`);
        continue;
      }
      try {
        await startContainer(dir!, c.name);
        log(`autostart fault: Incus restarted; started ${c.name} again (boot.autostart=true)`);
      } catch (err) {
        log(`autostart fault: ${c.name}: ${(err as Error).message}`);
      }
    }
  }
}

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await devices?.stop().catch(() => undefined);
  if (caddy?.pid) {
    caddy.kill('SIGTERM');
    const c = caddy;
    await Promise.race([new Promise((r) => c.once('exit', r)), sleep(3000)]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  removeFile(layout.caddyPid);
  removeFile(layout.supervisorPid);
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('SIGHUP', () => undefined);

writeFileAtomic(layout.supervisorPid, `${process.pid}\n`);
log(`supervisor pid ${process.pid}`);
startCaddy();
// Devices start once Caddy answers, so the timeline's first failures mean something.
await waitFor(() => canConnect(config.caddy.ip, config.caddy.httpPort), 8000, 50);
devices = await startDevices({
  caddyUrl: `http://${config.caddy.ip}:${config.caddy.httpPort}`,
  identities: config.identities.map((i) => ({ slug: i.slug, host: i.host, token: i.tokens[0]!.token })),
  timelineFile: layout.timeline,
});
void autostartLoop();
