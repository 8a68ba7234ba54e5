// --listen ADDR parsing. The stand-in runs on a developer machine, so it binds loopback only;
// POSTA_LISTEN lets the lab replace an init script's `0.0.0.0:80` with the container's loopback address.
import { PostaError } from './errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(addr: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  if (!m) throw new PostaError(`--listen ${addr}: expected HOST:PORT, e.g. 127.0.10.11:8080`, 2);
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) throw new PostaError(`--listen ${addr}: port out of range`, 2);
  if (!isLoopback(host)) {
    throw new PostaError(`--listen ${addr}: the posta stand-in binds loopback addresses only (127.0.0.0/8, ::1); set POSTA_LISTEN to override the address`, 2);
  }
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function formatListen(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
