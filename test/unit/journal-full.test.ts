// The journal when its disk is full (or an I/O error): writes degrade to memory (read back by the same driver,
// saved once there is room), the reserve next to the journal is freed for the lease release, and a lease that
// still cannot be deleted is released by its marker file, which the next driver honours without --take-over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../src/sqlite.ts';
import { acquireLease, isStorageError, Journal, leaseHolder, openJournal, RESERVE_FILE } from '../../src/journal/index.ts';
import { systemClock } from '../../src/ports.ts';

const START = { runbookPath: '/r.toml', runbookName: 'r', runbookSha256: 'a'.repeat(64), runbookText: 'x', host: 'h', mode: 'apply' as const };

/** A journal whose writes fail with SQLITE_FULL while `disk.full` is set (the real database underneath). */
function fullable(dir: string) {
  const real = openJournal({ stateDir: dir });
  const disk = { full: false };
  const fail = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const db = new Proxy(real.db, {
    get(target, key) {
      if (key === 'prepare') {
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (!/^\s*(INSERT|UPDATE|DELETE)/i.test(sql)) return stmt;
          return new Proxy(stmt, {
            get(s, k) {
              if (k === 'run') return (...args: unknown[]) => {
                if (disk.full) throw fail();
                return (s.run as (...a: unknown[]) => unknown)(...args);
              };
              const v = Reflect.get(s, k, s);
              return typeof v === 'function' ? v.bind(s) : v;
            },
          });
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Database;
  return { journal: new Journal(db, real.file, false, systemClock, process.env), disk };
}

test('isStorageError names disk full, I/O and read-only errors, and nothing else', () => {
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'ENOSPC', 'EIO', 'EROFS', 'EDQUOT']) assert.ok(isStorageError(Object.assign(new Error(), { code })), code);
  for (const code of ['SQLITE_BUSY', 'SQLITE_CONSTRAINT', 'ENOENT', undefined]) assert.ok(!isStorageError(Object.assign(new Error(), { code })), String(code));
});

test('disk full: writes go on from memory, are read back, the reserve is freed, and saved once there is room', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-full-'));
  try {
    const { journal, disk } = fullable(dir);
    assert.ok(existsSync(join(dir, RESERVE_FILE)), 'a driver keeps a reserve next to the journal');
    const runId = journal.startRun(START);
    journal.recordStep(runId, { stepKey: 'stop', state: 'running', action: 'service.stop' });
    journal.recordStep(runId, { stepKey: 'stop', state: 'succeeded' });
    journal.outageOpened(runId);
    let told: Error | null = null;
    journal.onStorageFailure = (err) => (told = err);
    disk.full = true;
    journal.recordStep(runId, { stepKey: 'write', state: 'running', action: 'file.write' });
    assert.equal(journal.failure?.message, 'database or disk is full');
    assert.equal(told, journal.failure, 'told once, when the first write failed');
    assert.ok(!existsSync(join(dir, RESERVE_FILE)), 'the reserve is freed for what must still be written');
    journal.recordIntent(runId, 'write', { container: 'posta', path: '/etc/x', previous: null });
    journal.recordStep(runId, { stepKey: 'write', state: 'failed', error: 'boom' });
    journal.endRun(runId, 'rolled-back');
    // Read back by the same driver.
    assert.equal(journal.stepStates(runId).get('write')?.state, 'failed');
    assert.deepEqual(journal.intents(runId, 'write'), [{ container: 'posta', path: '/etc/x', previous: null }]);
    assert.equal(journal.run(runId)?.outcome, 'rolled-back');
    assert.equal(journal.unfinishedRun(), null);
    assert.ok(journal.unsavedEvents().length >= 4);
    const held = journal.unsavedEvents().length;
    // Room again: one transaction writes what was held.
    disk.full = false;
    assert.equal(journal.saveUnsaved(), held);
    journal.close();
    const again = openJournal({ stateDir: dir, readonly: true });
    try {
      assert.equal(again.run(runId)?.outcome, 'rolled-back');
      assert.equal(again.stepStates(runId).get('write')?.state, 'failed');
      assert.equal(again.intents(runId, 'write').length, 1);
    } finally {
      again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lease that cannot be deleted is released by its marker file; the next driver takes it without --take-over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-full-'));
  try {
    const { journal, disk } = fullable(dir);
    const lease = acquireLease(journal, { heartbeatMs: 0 });
    disk.full = true;
    lease.release();
    const markers = readdirSync(dir).filter((f) => f.startsWith('lease-released.'));
    assert.equal(markers.length, 1, 'one marker file');
    assert.ok(journal.failure, 'the journal degraded');
    journal.close();
    // A reader sees nobody driving; a new driver takes the lease at once (no live-holder refusal, no --take-over).
    const next = openJournal({ stateDir: dir });
    try {
      assert.equal(leaseHolder(next), null);
      const l2 = acquireLease(next, { heartbeatMs: 0 });
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('lease-released.')), [], 'the marker is removed with the stale row');
      assert.equal(leaseHolder(next)?.pid, process.pid);
      l2.release();
      assert.equal(leaseHolder(next), null);
    } finally {
      next.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lease row that is deleted on the second try (room from the reserve) leaves no marker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-full-'));
  try {
    const { journal, disk } = fullable(dir);
    const lease = acquireLease(journal, { heartbeatMs: 0 });
    // Full for exactly one write: the first DELETE fails, the journal frees its reserve, the retry succeeds.
    let fails = 1;
    Object.defineProperty(disk, 'full', { get: () => fails-- > 0 });
    lease.release();
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('lease-released.')), []);
    assert.equal(leaseHolder(journal), null);
    journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
