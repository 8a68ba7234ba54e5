// SQLite online backup (src/backup/sqlite.ts: better-sqlite3's backup API, then integrity_check on the
// copy) of a large DB, against a plain `cp` of the same file: what the consistency costs over raw I/O.
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteOnlineBackup } from '../src/backup/sqlite.ts';
import { dataBytes, fmtSize } from './data.ts';
import { figure, mb, run, timed, type BenchContext, type Figure } from './lib.ts';

/** An inbox-like DB of about `bytes`: message rows with text bodies and an attachment blob. */
function seedLargeDb(path: string, bytes: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, sender TEXT NOT NULL, body TEXT NOT NULL, attachment BLOB, received_at TEXT NOT NULL)');
  const rowBytes = 4096;
  const rows = Math.max(1, Math.floor(bytes / (rowBytes + 300)));
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO messages (sender, body, attachment, received_at)
    SELECT 'user' || (i % 300) || '@posta.no', printf('message %d: %s', i, hex(randomblob(100))), randomblob(${rowBytes}), datetime('now', '-' || i || ' minutes')
    FROM n`);
  db.exec('CREATE INDEX messages_sender ON messages (sender)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export async function sqliteBackup(ctx: BenchContext): Promise<Figure[]> {
  const dir = join(ctx.tmp, 'sqlite');
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'inbox.db');
  const gen = await timed(() => seedLargeDb(src, dataBytes(ctx.quick)));
  const size = statSync(src).size;
  ctx.log(`sqlite: ${fmtSize(size)} DB written in ${(gen.ms / 1000).toFixed(1)} s`);

  const copy = join(dir, 'copy.db');
  const cp = await timed(() => run(['cp', '--reflink=never', src, copy], { timeoutMs: 120_000 }));
  if (cp.result.code !== 0) throw new Error(`cp failed: ${cp.result.stderr.trim()}`);
  rmSync(copy);

  const dest = join(dir, 'backup.db');
  const ours = await timed(() => sqliteOnlineBackup(src, dest));
  rmSync(dir, { recursive: true, force: true });

  const rate = (ms: number) => mb(size) / (ms / 1000);
  return [
    figure({
      name: `sqlite online backup (${fmtSize(size)})`,
      value: rate(ours.ms),
      unit: 'MiB/s',
      baseline: rate(cp.ms),
      baselineOf: 'cp of the file',
      goal: null,
      note: `backup + integrity_check ${(ours.ms / 1000).toFixed(1)} s (${ours.result.totalPages} pages), cp ${(cp.ms / 1000).toFixed(1)} s`,
    }),
  ];
}
