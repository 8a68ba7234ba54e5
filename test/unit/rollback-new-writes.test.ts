// New writes at rollback: which tables of a copied database moved since the copy, and how that is said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { compareTables, countsText, newWritesLines } from '../../src/engine/rollback.ts';
import { tableStats } from '../../src/actions/copy.ts';

test('compareTables: rows or max rowid moved; a table the target added (a migration) is no write; a dropped table is 0 rows', () => {
  const then = { messages: { rows: 300, maxRowid: 300 }, auth_tokens: { rows: 2, maxRowid: 2 }, gone: { rows: 1, maxRowid: 1 } };
  assert.deepEqual(compareTables(then, { ...then }), []);
  const now = { messages: { rows: 301, maxRowid: 301 }, auth_tokens: { rows: 2, maxRowid: 2 }, gone: { rows: 1, maxRowid: 1 }, tenant: { rows: 1, maxRowid: 1 } };
  assert.deepEqual(compareTables(then, now), [{ table: 'messages', rowsThen: 300, rowsNow: 301, maxRowidThen: 300, maxRowidNow: 301 }]);
  // A delete and an insert keep the count but move the max rowid.
  const swapped = compareTables(then, { ...now, messages: { rows: 300, maxRowid: 302 }, gone: undefined as never });
  assert.deepEqual(swapped.map((d) => d.table), ['messages', 'gone']);
  assert.equal(countsText(swapped), 'messages 300 → 300 rows (+0, max rowid 300 → 302), gone 1 → 0 rows (-1, max rowid 1 → —)');
  assert.deepEqual(
    newWritesLines({ diverged: [{ identity: 'arne', stepKey: 'copy-db[arne]', legacyContainer: 'arne-msg', legacyPath: '/var/lib/posta/inbox.db', target: 'posta', targetPath: '/var/lib/posta/arne/inbox.db', deltas: compareTables(then, now) }], problems: [{ identity: 'tarald', why: 'cannot read' }] }),
    ['arne (posta:/var/lib/posta/arne/inbox.db): messages 300 → 301 rows (+1, max rowid 300 → 301)', 'tarald: cannot read'],
  );
});

test('tableStats: rows and max rowid of every user table, WITHOUT ROWID tables by count only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-stats-'));
  try {
    const db = new Database(join(dir, 'x.db'));
    db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID; CREATE TABLE "odd ""name" (x);
      INSERT INTO messages (id, body) VALUES (1, 'a'), (7, 'b'); INSERT INTO kv VALUES ('a', '1'); `);
    assert.deepEqual(tableStats(db), { kv: { rows: 1, maxRowid: null }, messages: { rows: 2, maxRowid: 7 }, 'odd "name': { rows: 0, maxRowid: null } });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
