// --listen ADDR parsing. The stand-in runs on a developer machine, so it binds loopback only;
// POSTA_LISTEN lets the lab replace an init script's `0.0.0.0:80` with the container's loopback address.
// Inside a real container (its own network namespace: the real Incus lane) the address an init script names,
// `0.0.0.0:8080`, is the container's own: the file LISTEN_ANY_MARKER in the container lifts the rule there.
import { existsSync } from 'node:fs';
import { PostaError } from './errors.ts';

/** Present only inside a container of its own network namespace (the real lane's image has it). */
export const LISTEN_ANY_MARKER = '/etc/posta-standin/listen-any';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `anyAddress`: the caller knows it runs in a network namespace of its own (see LISTEN_ANY_MARKER). */
export function parseListen(addr: string, anyAddress = false): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  if (!m) throw new PostaError(`--listen ${addr}: expected HOST:PORT, e.g. 127.0.10.11:8080`, 2);
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) throw new PostaError(`--listen ${addr}: port out of range`, 2);
  if (!anyAddress && !isLoopback(host)) {
    throw new PostaError(`--listen ${addr}: the posta stand-in binds loopback addresses only (127.0.0.0/8, ::1); set POSTA_LISTEN to override the address, or, inside a container with a network namespace of its own, create ${LISTEN_ANY_MARKER}`, 2);
  }
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function formatListen(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Whether this process runs where any address is its own: LISTEN_ANY_MARKER exists and no lab --root is used. */
export function listenAnyAllowed(root: string | undefined): boolean {
  return root === undefined && existsSync(LISTEN_ANY_MARKER);
}
