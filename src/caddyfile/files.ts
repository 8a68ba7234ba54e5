// Host-side file writes for the Caddyfile: atomic (temp in the same directory, fsync, rename, fsync dir),
// keeping the original owner and mode; timestamped 0600 backups next to the file.
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Ownership {
  mode: number;
  uid: number;
  gid: number;
}

export function ownershipOf(path: string): Ownership {
  const st = statSync(path);
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `data` atomically; `owner` is applied to the new file before it becomes visible. */
export function writeFileAtomic(path: string, data: Buffer, owner: Ownership): void {
  const tmp = join(dirname(path), `.${basename(path)}.cutover-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off);
      if (process.getuid?.() === 0 || process.getuid?.() !== owner.uid || process.getgid?.() !== owner.gid) fchownSync(fd, owner.uid, owner.gid);
      fchmodSync(fd, owner.mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EPERM' && e.syscall === 'fchown') throw new Error(`cannot keep the owner ${owner.uid}:${owner.gid} of ${path} (run as root or as its owner); nothing was written`);
    throw err;
  }
  fsyncDir(dirname(path));
}

const pad = (n: number) => String(n).padStart(2, '0');
/** YYYYMMDD-HHMMSS in local time, as `date +%Y%m%d-%H%M%S` prints it. */
export function stamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** Writes `data` to `<path>.bak.<label>-YYYYMMDD-HHMMSS` (mode 0600, never overwriting one) and returns its path. */
export function writeBackup(path: string, label: string, data: Buffer, now: Date): string {
  const base = `${path}.bak.${label}-${stamp(now)}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    let exists = true;
    try {
      statSync(candidate);
    } catch {
      exists = false;
    }
    if (exists) continue;
    writeFileAtomic(candidate, data, { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
    return candidate;
  }
}
