// Who is driving: the operator name for runs and the lease, from the environment of this process.
import { hostname, userInfo } from 'node:os';
import { readlinkSync } from 'node:fs';

export interface Holder {
  user: string;
  pid: number;
  host: string;
  tty: string | null;
  /** Client address of the SSH session ($SSH_CONNECTION's first field), when there is one. */
  sshClient: string | null;
}

export function currentHolder(env: NodeJS.ProcessEnv = process.env): Holder {
  return {
    user: env.USER || env.LOGNAME || osUser() || 'unknown',
    pid: process.pid,
    host: hostname(),
    tty: env.SSH_TTY || ttyOfStdin(),
    sshClient: env.SSH_CONNECTION?.trim().split(/\s+/)[0] || null,
  };
}

/**
 * "jon@fismen" or "jon@fismen (ssh from 203.0.113.9)" — how runs, the report and lease messages name the
 * operator (the host part is left out when it is not known).
 */
export function describeHolder(h: Pick<Holder, 'user' | 'sshClient'> & { host?: string | undefined }): string {
  const who = h.host ? `${h.user}@${h.host}` : h.user;
  return h.sshClient ? `${who} (ssh from ${h.sshClient})` : who;
}

/** The OS account of this process (sudo, cron and systemd-run often leave USER and LOGNAME unset). */
function osUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

function ttyOfStdin(): string | null {
  if (!process.stdin.isTTY) return null;
  try {
    return readlinkSync('/proc/self/fd/0');
  } catch {
    return null;
  }
}

/** True when a process with this pid exists on this host (EPERM: exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
