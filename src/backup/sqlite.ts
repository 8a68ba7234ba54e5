// Class S: SQLite through better-sqlite3's online backup API (a consistent copy even while a writer is
// active), then PRAGMA integrity_check on the copy; plus a logical fingerprint for drills.
import { chmodSync, closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { openDatabase, type Database } from '../sqlite.ts';
import { BackupError } from './contract.ts';

export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    return readSync(fd, buf, 0, 16, 0) === 16 && buf.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** Online backup of src into dest (0600), then integrity_check on dest. Returns the pages copied. */
export async function sqliteOnlineBackup(src: string, dest: string): Promise<{ totalPages: number }> {
  const db = openDatabase(src, { fileMustExist: true });
  let totalPages = 0;
  try {
    const r = await db.backup(dest);
    totalPages = r.totalPages;
  } finally {
    db.close();
  }
  chmodSync(dest, 0o600);
  const problems = sqliteIntegrity(dest);
  if (problems.length) throw new BackupError(`integrity_check of the backup copy of ${src} failed: ${problems.slice(0, 5).join('; ')}`);
  return { totalPages };
}

/** [] when PRAGMA integrity_check says ok; its messages otherwise. */
export function sqliteIntegrity(path: string): string[] {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const msgs = rows.map((r) => r.integrity_check);
    return msgs.length === 1 && msgs[0] === 'ok' ? [] : msgs;
  } finally {
    db.close();
  }
}

/** Per table: row count and sha256 of its rows in a stable order — equal for a faithful copy. */
export function sqliteFingerprint(path: string): Record<string, { rows: number; sha256: string }> {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
    const out: Record<string, { rows: number; sha256: string }> = {};
    for (const { name } of tables) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const rows = (db.prepare(`SELECT * FROM ${quoted}`).raw().all() as unknown[][]).map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v)));
      rows.sort();
      out[name] = { rows: rows.length, sha256: createHash('sha256').update(rows.join('\n')).digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}
