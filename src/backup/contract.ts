// The backup contract: private directory, <module>-<YYYYMMDD-HHMMSS> names, 0600 files written to a temp
// name then renamed, and a free-space check before anything is written.
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, statfsSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const DEFAULT_BACKUP_DIR = '/var/backups/cutover';

/** 'bad-input': nothing was done; 'failed': the backup/restore itself failed. */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    message: string,
    readonly outcome: 'failed' | 'bad-input' = 'failed',
  ) {
    super(message);
  }
}

/** Creates dir 0700 when missing; refuses an existing one that group or others can reach. */
export function ensurePrivateDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    return;
  }
  if (!st.isDirectory()) throw new BackupError(`backup dir ${dir} is not a directory`, 'bad-input');
  const mode = st.mode & 0o777;
  if (mode & 0o077) {
    throw new BackupError(
      `backup dir ${dir} has mode ${mode.toString(8).padStart(4, '0')}: group/others can reach backups (they may hold secrets). Fix: chmod 700 ${dir}`,
      'bad-input',
    );
  }
}

export function timestamp(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export function assertModuleName(module: string): void {
  if (!MODULE_NAME.test(module)) throw new BackupError(`module name "${module}" must be letters, digits, dot, dash or underscore`, 'bad-input');
}

/** `<module>-<YYYYMMDD-HHMMSS>`: the stem every file of one backup shares. */
export function backupStem(module: string, at: Date = new Date()): string {
  assertModuleName(module);
  return `${module}-${timestamp(at)}`;
}

/** A hidden temp name in the same directory, so the final rename is atomic. */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${process.pid}.tmp`);
}

export function writeFilePrivateAtomic(path: string, data: string | Buffer): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The part of statfs(2) the free-space check reads; injectable so a full disk can be simulated. */
export type StatfsPort = (dir: string) => { bavail: number | bigint; bsize: number | bigint };

/**
 * Throws (exit 1, nothing written) when the filesystem holding dir has less room than the estimate plus a
 * 10% margin. The estimate is the uncompressed data size, so compression only adds headroom.
 */
export function checkFreeSpace(dir: string, estimateBytes: number, statfs: StatfsPort = statfsSync): { freeBytes: number; needBytes: number } {
  const s = statfs(dir);
  const freeBytes = Number(s.bavail) * Number(s.bsize);
  const need = Math.ceil(estimateBytes * 1.1);
  if (freeBytes < need) {
    throw new BackupError(`not enough space in ${dir}: ${formatBytes(freeBytes)} free, backup needs about ${formatBytes(need)} (data ${formatBytes(estimateBytes)} + 10%); nothing was written. Free space or pass --dir on a larger filesystem`);
  }
  return { freeBytes, needBytes: need };
}

/** n bytes as a value below 1024 and its power of 1024 (0 = bytes … 4 = TiB). */
export function byteScale(n: number): { value: number; power: number } {
  let value = n;
  let power = 0;
  while (value >= 1024 && power < 4) {
    value /= 1024;
    power++;
  }
  return { value, power };
}

export function formatBytes(n: number): string {
  const { value, power } = byteScale(n);
  return power === 0 ? `${n} B` : `${value.toFixed(1)} ${['B', 'KiB', 'MiB', 'GiB', 'TiB'][power]}`;
}
