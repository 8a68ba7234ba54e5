// A corrupt or empty journal file is named as such, with the fix (move it aside), never "run apply once to
// migrate it" (which would start a fresh history on top of the lost one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openJournal, JournalBrokenError } from '../../src/journal/index.ts';

function stateWith(content: Buffer | null, ageMs = 60_000): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-broken-'));
  const file = join(dir, 'journal.sqlite');
  if (content) {
    writeFileSync(file, content);
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(file, t, t);
  }
  return dir;
}

for (const readonly of [false, true]) {
  test(`a zero-length journal is named empty with the fix (${readonly ? 'reader' : 'driver'})`, () => {
    const dir = stateWith(Buffer.alloc(0));
    try {
      assert.throws(() => openJournal({ stateDir: dir, readonly }), (err: Error) => {
        assert.ok(err instanceof JournalBrokenError, err.message);
        assert.match(err.message, /journal\.sqlite is empty \(0 bytes\)/);
        assert.match(err.message, /mv .*journal\.sqlite .*journal\.sqlite\.broken-/);
        assert.doesNotMatch(err.message, /migrate/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`a corrupt journal is named corrupt with the fix (${readonly ? 'reader' : 'driver'})`, () => {
    const dir = stateWith(Buffer.from('this is not a database, it was overwritten by something else entirely\n'.repeat(100)));
    try {
      assert.throws(() => openJournal({ stateDir: dir, readonly }), (err: Error) => {
        assert.ok(err instanceof JournalBrokenError, err.message);
        assert.match(err.message, /not a SQLite database/);
        assert.match(err.message, /Move it aside/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an empty SQLite database as the journal: the reader names it, never "migrate"', () => {
  const dir = stateWith(null);
  const db = new Database(join(dir, 'journal.sqlite'));
  db.exec('CREATE TABLE other (x)');
  db.exec('DROP TABLE other');
  db.close();
  try {
    assert.throws(() => openJournal({ stateDir: dir, readonly: true }), (err: Error) => {
      assert.match(err.message, /holds no journal/);
      assert.match(err.message, /mv /);
      assert.doesNotMatch(err.message, /migrate/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journal created a moment ago by another process (still 0 bytes) is opened, not called broken', () => {
  const dir = stateWith(Buffer.alloc(0), 0);
  try {
    const j = openJournal({ stateDir: dir });
    assert.equal(j.runs().length, 0);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
