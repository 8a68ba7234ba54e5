// Container lifecycle of the lab runtime, as Incus does it: create/launch, start (boot services), stop
// (stop services), delete (refused when running without --force or when protected), snapshots.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from './fsutil.ts';
import { containerDir, labLayout, rootfsDir, LAB_DEFAULTS, type LabConfig } from './layout.ts';
import { hasFault } from './faults.ts';
import { startService, stopAllServices } from './services.ts';
import { findContainer, nextIp, readState, withState, type LabContainer } from './state.ts';

/** An Incus-worded failure: printed as `Error: <message>`, exit 1. */
export class IncusCliError extends Error {}

const ROOTFS_DIRS = ['etc', 'etc/init.d', 'usr/local/bin', 'var/lib', 'var/log', 'run', 'tmp', 'root'];
const NAME_RE = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;

/** Real Incus' words for a missing instance (exec, start, config …). */
export function notFound(name: string): IncusCliError {
  return new IncusCliError(`Failed to fetch instance "${name}" in project "default": Instance not found`);
}

export function requireContainer(dir: string, name: string): LabContainer {
  const c = findContainer(readState(dir), name);
  if (!c) throw notFound(name);
  return c;
}

/** Images the lab can launch: real Incus refuses any other with `Image "X" not found`. */
export const LAB_IMAGES = ['images:alpine/3.21', 'alpine/3.21'];
/** Profiles the lab has: real Incus refuses any other with `Requested profile "X" doesn't exist`. */
export const LAB_PROFILES = ['default'];

/** Instance config keys the lab knows, with their type, like real Incus validates them (user.*, environment.* free). */
const CONFIG_KEYS: Record<string, 'bool' | 'int' | 'string'> = {
  'boot.autostart': 'bool',
  'boot.autostart.delay': 'int',
  'boot.autostart.priority': 'int',
  'boot.host_shutdown_timeout': 'int',
  'security.protection.delete': 'bool',
  'security.privileged': 'bool',
  'security.nesting': 'bool',
  'limits.cpu': 'string',
  'limits.memory': 'string',
};

/** Real Incus' refusal of an unknown key or a badly typed value (`Invalid config: …`). */
export function checkConfigKey(key: string, value: string): void {
  if (/^(user|environment|volatile|image)\./.test(key)) return;
  const type = CONFIG_KEYS[key];
  if (!type) throw new IncusCliError(`Invalid config: Unknown configuration key: ${key}`);
  if (type === 'bool' && !/^(true|false|1|0|yes|no|on|off)$/i.test(value)) throw new IncusCliError(`Invalid config: Invalid value for a boolean "${value}"`);
  if (type === 'int' && !/^-?\d+$/.test(value)) throw new IncusCliError(`Invalid config: Invalid value for an integer "${value}"`);
}

export function createContainer(dir: string, name: string, image: string, opts: { profiles?: string[]; config?: Record<string, string> } = {}): LabContainer {
  if (!NAME_RE.test(name)) throw new IncusCliError(`Invalid instance name: Name must start with a letter and contain only letters, numbers and dashes`);
  if (!LAB_IMAGES.includes(image)) throw new IncusCliError(`Image "${image.replace(/^images:/, '')}" not found (the lab has: ${LAB_IMAGES[0]})`);
  for (const p of opts.profiles ?? []) if (!LAB_PROFILES.includes(p)) throw new IncusCliError(`Requested profile "${p}" doesn't exist`);
  for (const [k, v] of Object.entries(opts.config ?? {})) checkConfigKey(k, v);
  const cfg = readJson<LabConfig>(labLayout(dir).config);
  const subnet = cfg?.subnet ?? '127.0.10';
  const first = cfg?.firstContainerHost ?? LAB_DEFAULTS.firstContainerHost;
  return withState(dir, (state) => {
    if (findContainer(state, name)) throw new IncusCliError(`Failed creating instance record: Instance "${name}" already exists`);
    const root = rootfsDir(dir, name);
    rmSync(containerDir(dir, name), { recursive: true, force: true });
    for (const d of ROOTFS_DIRS) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
    const c: LabContainer = {
      name,
      ip: nextIp(state, subnet, first),
      status: 'Stopped',
      image,
      profiles: opts.profiles ?? ['default'],
      config: { ...(opts.config ?? {}) },
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
      stoppedAt: null,
      enabledServices: [],
      snapshots: [],
    };
    state.containers.push(c);
    return c;
  });
}

function setStatus(dir: string, name: string, status: LabContainer['status']): LabContainer {
  // Fault new-address: a legacy container that boots again gets another address (its DHCP lease was lost).
  const renumber = status === 'Running' && hasFault(dir, 'new-address') && (readJson<LabConfig>(labLayout(dir).config)?.identities ?? []).some((i) => i.container === name);
  return withState(dir, (state) => {
    const c = findContainer(state, name);
    if (!c) throw notFound(name);
    if (renumber) c.ip = nextIp(state, readJson<LabConfig>(labLayout(dir).config)?.subnet ?? '127.0.10', LAB_DEFAULTS.firstContainerHost);
    c.status = status;
    if (status === 'Stopped') c.busy = null;
    if (status === 'Running') c.lastUsedAt = new Date().toISOString();
    c.stoppedAt = status === 'Stopped' ? Date.now() : null;
    return { ...c };
  });
}

/** Boots a container: Running, then its enabled services start (OpenRC default runlevel). */
export async function startContainer(dir: string, name: string): Promise<string[]> {
  const c = requireContainer(dir, name);
  if (c.status === 'Running') throw new IncusCliError('The instance is already running');
  const running = setStatus(dir, name, 'Running');
  const problems: string[] = [];
  for (const service of running.enabledServices) {
    const r = await startService(dir, running, service);
    if (r.code !== 0) problems.push(r.stderr.trim());
  }
  return problems;
}

export async function stopContainer(dir: string, name: string): Promise<void> {
  const c = requireContainer(dir, name);
  if (c.status === 'Stopped') throw new IncusCliError('The instance is already stopped');
  await stopAllServices(dir, c);
  setStatus(dir, name, 'Stopped');
}

export async function deleteContainer(dir: string, name: string, force: boolean): Promise<void> {
  const c = requireContainer(dir, name);
  const label = `"${name}" in project "default"`;
  if (c.status === 'Running') {
    if (!force) throw new IncusCliError(`The instance "${name}" is currently running, stop it first or pass --force`);
    await stopContainer(dir, name);
  }
  if (isTrue(c.config['security.protection.delete'])) throw new IncusCliError(`Failed deleting instance ${label}: Instance is protected`);
  withState(dir, (state) => {
    state.containers = state.containers.filter((x) => x.name !== name);
  });
  rmSync(containerDir(dir, name), { recursive: true, force: true });
}

export function setEnabledService(dir: string, name: string, service: string, enabled: boolean): void {
  withState(dir, (state) => {
    const c = findContainer(state, name);
    if (!c) throw notFound(name);
    c.enabledServices = c.enabledServices.filter((s) => s !== service);
    if (enabled) c.enabledServices.push(service);
  });
}

export function setConfigKey(dir: string, name: string, key: string, value: string | null): void {
  withState(dir, (state) => {
    const c = findContainer(state, name);
    if (!c) throw notFound(name);
    if (value !== null) checkConfigKey(key, value);
    if (value === null) {
      if (!(key in c.config)) throw new IncusCliError(`Can't unset key '${key}', it's not currently set`);
      delete c.config[key];
    } else c.config[key] = value;
  });
}

export function snapshotCreate(dir: string, name: string, snap: string): void {
  const c = requireContainer(dir, name);
  if (c.snapshots.some((s) => s.name === snap)) throw new IncusCliError(`Failed creating instance snapshot record "${snap}": Snapshot "${snap}" already exists`);
  cpSync(rootfsDir(dir, name), join(containerDir(dir, name), 'snapshots', snap), { recursive: true, preserveTimestamps: true });
  withState(dir, (state) => {
    findContainer(state, name)!.snapshots.push({ name: snap, createdAt: new Date().toISOString() });
  });
}

export function snapshotRestore(dir: string, name: string, snap: string): void {
  const c = requireContainer(dir, name);
  const from = join(containerDir(dir, name), 'snapshots', snap);
  if (!c.snapshots.some((s) => s.name === snap) || !existsSync(from)) throw new IncusCliError('Instance snapshot not found');
  const root = rootfsDir(dir, name);
  rmSync(root, { recursive: true, force: true });
  cpSync(from, root, { recursive: true, preserveTimestamps: true });
}

export function snapshotDelete(dir: string, name: string, snap: string): void {
  const c = requireContainer(dir, name);
  if (!c.snapshots.some((s) => s.name === snap)) throw new IncusCliError('Instance snapshot not found');
  rmSync(join(containerDir(dir, name), 'snapshots', snap), { recursive: true, force: true });
  withState(dir, (state) => {
    const x = findContainer(state, name)!;
    x.snapshots = x.snapshots.filter((s) => s.name !== snap);
  });
}

export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['true', '1', 'yes', 'on'].includes(v.toLowerCase());
}

/** Marks the instance busy with an operation Incus keeps (fault ignore-stop: the timed-out stop). */
export function setBusy(dir: string, name: string, op: string | null): void {
  withState(dir, (state) => {
    const c = findContainer(state, name);
    if (c) c.busy = op;
  });
}

/** Real Incus' refusal while an operation holds the instance. */
export function refuseIfBusy(c: LabContainer, what: 'update' | 'file'): void {
  if (c.busy) throw new IncusCliError(`${what === 'update' ? 'Failed to create instance update operation: ' : ''}Instance is busy running a "${c.busy}" operation`);
}
