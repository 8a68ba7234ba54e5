// OpenRC-like services inside lab containers: `service NAME start|stop|status`, backed by real processes
// bound to the container's IP, with pid files under the lab directory and logs in the container's rootfs.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readFaults } from './faults.ts';
import { ensureDir, readJson, writeFileAtomic } from './fsutil.ts';
import { bindToContainer, listenAddress, parseInitScript } from './init-script.ts';
import { labLayout, rootfsDir, servicePidFile, type LabConfig } from './layout.ts';
import { canConnect, livePid, removeFile, terminate, waitFor } from './procs.ts';
import type { LabContainer } from './state.ts';

export interface ServiceResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ok = (stdout: string): ServiceResult => ({ code: 0, stdout, stderr: '' });
const fail = (code: number, stderr: string, stdout = ''): ServiceResult => ({ code, stdout, stderr });

export function servicePid(dir: string, container: string, service: string): number | null {
  return livePid(servicePidFile(dir, container, service), rootfsDir(dir, container));
}

export async function startService(dir: string, c: LabContainer, service: string): Promise<ServiceResult> {
  const root = rootfsDir(dir, c.name);
  const scriptPath = join(root, 'etc', 'init.d', service);
  if (!existsSync(scriptPath)) return fail(1, ` * service: service \`${service}' does not exist\n`);
  if (servicePid(dir, c.name, service) !== null) return ok(` * WARNING: ${service} has already been started\n`);
  const script = parseInitScript(readFileSync(scriptPath, 'utf8'));
  if (!script) return fail(1, ` * ${service}: no command= in /etc/init.d/${service}\n`);
  const binary = join(root, script.command);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return fail(1, ` * start-stop-daemon: ${script.command} does not exist or is not executable\n * ERROR: ${service} failed to start\n`);
  }
  const args = [...bindToContainer(script.args, c.ip), '--root', root];
  const logPath = join(root, script.outputLog ?? `/var/log/${service}.log`);
  ensureDir(dirname(logPath), 0o755);
  const fd = openSync(logPath, 'a', 0o640);
  const pidFile = servicePidFile(dir, c.name, service);
  let exited: number | null = null;
  try {
    const child = spawn(binary, args, {
      cwd: root,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, POSTA_FAULTS: daemonFaults(dir, args) },
    });
    child.on('exit', (code, sig) => (exited = code ?? (sig ? 128 : 1)));
    child.on('error', () => (exited = 127));
    child.unref();
    if (child.pid === undefined) return fail(1, ` * ERROR: ${service} failed to start (spawn ${script.command})\n`);
    writeFileAtomic(pidFile, `${child.pid}\n`);
  } finally {
    closeSync(fd);
  }
  const listen = listenAddress(args);
  const up = await waitFor(async () => exited !== null || (listen ? await canConnect(listen.host, listen.port, 200) : true), 8000, 30);
  if (exited !== null || !up) {
    removeFile(pidFile);
    const tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-3).join('\n');
    return fail(1, ` * Starting ${service} ...\n * start-stop-daemon: ${script.command} died (exit ${exited ?? 'timeout'})\n${tail}\n * ERROR: ${service} failed to start\n`);
  }
  return ok(` * Starting ${service} ...\n * [ ok ]\n`);
}

export async function stopService(dir: string, c: LabContainer, service: string): Promise<ServiceResult> {
  const pid = servicePid(dir, c.name, service);
  if (pid === null) {
    removeFile(servicePidFile(dir, c.name, service));
    if (!existsSync(join(rootfsDir(dir, c.name), 'etc', 'init.d', service))) return fail(1, ` * service: service \`${service}' does not exist\n`);
    return ok(` * WARNING: ${service} is already stopped\n`);
  }
  await terminate(pid);
  removeFile(servicePidFile(dir, c.name, service));
  return ok(` * Stopping ${service} ...\n * [ ok ]\n`);
}

export function serviceStatus(dir: string, c: LabContainer, service: string): ServiceResult {
  if (!existsSync(join(rootfsDir(dir, c.name), 'etc', 'init.d', service))) return fail(1, ` * service: service \`${service}' does not exist\n`);
  if (servicePid(dir, c.name, service) !== null) return ok(' * status: started\n');
  if (existsSync(servicePidFile(dir, c.name, service))) return fail(32, ' * status: crashed\n');
  return fail(3, ' * status: stopped\n');
}

/** Stops every service of a container that has a pid file (container stop, delete, lab down). */
export async function stopAllServices(dir: string, c: LabContainer): Promise<void> {
  for (const service of runningServiceNames(dir, c.name)) await stopService(dir, c, service);
}

export function runningServiceNames(dir: string, container: string): string[] {
  const names: string[] = [];
  const runDir = join(labLayout(dir).run, 'services');
  if (!existsSync(runDir)) return names;
  for (const f of readdirNames(runDir)) {
    const m = new RegExp(`^${container.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(.+)\\.pid$`).exec(f);
    if (m) names.push(m[1]!);
  }
  return names;
}

function readdirNames(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** POSTA_FAULTS for a daemon about to start: crash/noise only hit the multi-tenant (--manifest) daemon. */
function daemonFaults(dir: string, args: string[]): string {
  const active = readFaults(dir).active;
  const multiTenant = args.includes('--manifest');
  const words: string[] = [];
  if (multiTenant && active.includes('daemon-crash')) words.push('daemon-crash');
  if (multiTenant && active.includes('noisy-logs')) words.push('noisy-logs');
  if (multiTenant && active.includes('late-crash')) words.push('late-crash');
  if (active.includes('slow-identity')) {
    const slug = readJson<LabConfig>(labLayout(dir).config)?.identities[0]?.slug;
    if (slug) words.push(`slow-identity=${slug}`);
  }
  return words.join(',');
}
