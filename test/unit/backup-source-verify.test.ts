// Backups are compared with their source where it lives: a copy that does not match the source's sha256
// (computed inside the instance) is refused, and a drill on such a copy fails. The instance here is the
// host runtime seen as a remote one (pathsOnHost false), so every file goes through pullFile as it would
// out of an Incus or Docker container; a truncating pullFile plays the broken copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HostRuntime } from '../../src/adapters/host.ts';
import { backupModule } from '../../src/backup/backup.ts';
import { readDrills, runDrill } from '../../src/backup/drill.ts';
import type { BackupClass } from '../../src/backup/types.ts';

/** The host as a "remote" instance whose copies keep only the first half of every file. */
class TruncatingRuntime extends HostRuntime {
  override async pullFile(_name: string, remotePath: string, localPath: string): Promise<void> {
    copyFileSync(remotePath, localPath);
    truncateSync(localPath, Math.floor(readFileSync(remotePath).length / 2));
  }
}

function fixture(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'cutover-source-verify-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const data = join(base, 'var', 'lib', 'posta');
  mkdirSync(data, { recursive: true });
  const keys = join(data, 'keys.json');
  writeFileSync(keys, JSON.stringify({ kid: 'k1', private: 'x'.repeat(100), public: 'y'.repeat(10) }));
  const db = join(data, 'inbox.db');
  const d = new Database(db);
  d.exec('CREATE TABLE msg (id INTEGER PRIMARY KEY, body TEXT)');
  d.prepare('INSERT INTO msg (body) VALUES (?)').run('hello');
  d.close();
  return { base, data, keys, db, dir: join(base, 'backups') };
}

const opts = (runtime: HostRuntime, module: string, cls: BackupClass, dir: string, paths: string[]) => ({
  target: { runtime, kind: 'incus' as const, container: 'arne-msg' },
  module,
  cls,
  dir,
  paths,
  pathsOnHost: false,
});

test('class S: a truncating copy of a plain file is refused, naming the source sum (computed in the instance) and the copy sum; nothing archived', async (t) => {
  const f = fixture(t);
  const size = readFileSync(f.keys).length;
  await assert.rejects(backupModule(opts(new TruncatingRuntime(), 'arne-msg', 'S', f.dir, [f.keys])), (err: Error) => {
    assert.match(err.message, new RegExp(`${f.keys}: the copy from incus:arne-msg differs from the source, refusing`));
    assert.match(err.message, new RegExp(`source sha256 [0-9a-f]{64} \\(${size} bytes\\), copy sha256 [0-9a-f]{64} \\(${Math.floor(size / 2)} bytes\\)`));
    return true;
  });
  assert.deepEqual(readdirSync(f.dir), [], 'no archive, no manifest, no staging left');
});

test('class E from inside the instance: a truncated tarball pulled out is refused the same way', async (t) => {
  const f = fixture(t);
  await assert.rejects(backupModule(opts(new TruncatingRuntime(), 'uptime-kuma', 'E', f.dir, [f.data])), /data\.tar\.gz: the copy from incus:arne-msg differs from the source, refusing to archive it: source sha256 [0-9a-f]{64} \(\d+ bytes\), copy sha256/);
  assert.deepEqual(readdirSync(f.dir), []);
});

test('drill on a truncating copy fails (and is recorded as failed); on an honest copy it compares the restore with the original in the instance', async (t) => {
  const f = fixture(t);
  const bad = await runDrill(opts(new TruncatingRuntime(), 'arne-msg', 'S', f.dir, [f.db, f.keys]));
  assert.equal(bad.ok, false);
  assert.match(bad.problems.join('\n'), /backup failed: arne-msg: .*differs from the source/);
  assert.equal(readDrills(f.dir).at(-1)?.ok, false);

  const good = await runDrill(opts(new HostRuntime(), 'arne-msg', 'S', f.dir, [f.db, f.keys]));
  assert.deepEqual(good.problems, []);
  assert.ok(good.checks.some((c) => c === `${f.keys}: sha256 == original (computed in incus:arne-msg)`), good.checks.join('\n'));
  assert.ok(good.checks.some((c) => c.startsWith(`${f.db}: sqlite tables, row counts and row hashes == original (a fresh online-backup copy`)), good.checks.join('\n'));
  assert.equal(readDrills(f.dir).at(-1)?.ok, true);

  const e = await runDrill(opts(new HostRuntime(), 'uptime-kuma', 'E', f.dir, [f.data]));
  assert.deepEqual(e.problems, []);
  assert.ok(e.checks.some((c) => /^restored files' sha256 == live source \(2 files, computed in incus:arne-msg\)$/.test(c)), e.checks.join('\n'));
  assert.ok(existsSync(f.keys));
});
