// Where everything of one rehearsal lab lives, and the lab's fixed network plan (loopback only).
import { join } from 'node:path';
import { labTimelineFile } from '../paths.ts';

export const LAB_DEFAULTS = {
  /** Caddy binds here; containers get the following addresses (.11, .12, …). */
  caddyIp: '127.0.10.1',
  httpPort: 8080,
  adminPort: 2019,
  firstContainerHost: 11,
  /** Port the posta daemons listen on inside lab containers. */
  daemonPort: 8080,
} as const;

export const LEGACY_IDENTITIES = [
  { slug: 'arne', name: 'Arne' },
  { slug: 'marcus', name: 'Marcus' },
  { slug: 'tarald', name: 'Tarald' },
] as const;

/** lab.json: what `lab up` built. */
export interface LabConfig {
  version: 1;
  createdAt: string;
  caddy: { ip: string; httpPort: number; adminPort: number };
  /** The /24 prefix containers get addresses from, e.g. "127.0.10". */
  subnet: string;
  firstContainerHost: number;
  daemonPort: number;
  identities: LabIdentity[];
}

export interface LabIdentity {
  slug: string;
  name: string;
  host: string;
  container: string;
  publicKey: string;
  tokens: { name: string; token: string }[];
}

export function labLayout(dir: string) {
  return {
    dir,
    config: join(dir, 'lab.json'),
    state: join(dir, 'state.json'),
    stateLock: join(dir, 'state.lock'),
    faults: join(dir, 'faults.json'),
    bin: join(dir, 'bin'),
    incus: join(dir, 'bin', 'incus'),
    postaLauncher: join(dir, 'bin', 'posta-server'),
    caddyWrapper: join(dir, 'bin', 'caddy'),
    lib: join(dir, 'lib'),
    containers: join(dir, 'containers'),
    run: join(dir, 'run'),
    supervisorPid: join(dir, 'run', 'supervisor.pid'),
    caddyPid: join(dir, 'run', 'caddy.pid'),
    caddyDir: join(dir, 'caddy'),
    caddyfile: join(dir, 'caddy', 'Caddyfile'),
    caddyHome: join(dir, 'caddy', 'home'),
    logs: join(dir, 'logs'),
    devices: join(dir, 'devices'),
    timeline: labTimelineFile(dir),
  };
}
export type LabLayout = ReturnType<typeof labLayout>;

export function containerDir(dir: string, name: string): string {
  return join(dir, 'containers', name);
}

export function rootfsDir(dir: string, name: string): string {
  return join(dir, 'containers', name, 'rootfs');
}

export function servicePidFile(dir: string, container: string, service: string): string {
  return join(dir, 'run', 'services', `${container}.${service}.pid`);
}
