// Process helpers shared by the shim, the supervisor and `lab down`: pid files, liveness, TCP probes.
import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { connect } from 'node:net';

export function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie is dead for our purposes.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The live pid in `file` whose command line mentions `marker` (guards against pid reuse). */
export function livePid(file: string, marker: string): number | null {
  const pid = readPid(file);
  return pid !== null && isAlive(pid) && cmdline(pid).includes(marker) ? pid : null;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM (the process group when it leads one), then SIGKILL after `graceMs`; resolves when gone. */
export async function terminate(pid: number, graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
  if (isAlive(pid)) {
    signal('SIGKILL');
    const hard = Date.now() + 2000;
    while (isAlive(pid) && Date.now() < hard) await sleep(20);
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

export function canConnect(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}

export interface ListeningSocket {
  address: string;
  port: number;
  inode: number;
  pids: number[];
}

/** IPv4 TCP listeners from /proc/net/tcp, with the pids owning them (visible ones). */
export function listeningSockets(filter: (address: string) => boolean = () => true): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  let text = '';
  try {
    text = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return sockets;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [hexIp, hexPort] = f[1]!.split(':') as [string, string];
    const address = [3, 2, 1, 0].map((i) => parseInt(hexIp.slice(i * 2, i * 2 + 2), 16)).join('.');
    if (!filter(address)) continue;
    sockets.push({ address, port: parseInt(hexPort, 16), inode: Number(f[9]), pids: [] });
  }
  if (sockets.length === 0) return sockets;
  const byInode = new Map(sockets.map((s) => [s.inode, s] as const));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        const s = m ? byInode.get(Number(m[1])) : undefined;
        if (s && !s.pids.includes(Number(entry))) s.pids.push(Number(entry));
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return sockets;
}

export const inLabSubnet = (address: string) => address.startsWith('127.0.10.');
