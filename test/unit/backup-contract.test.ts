// The backup contract on real files in a temp dir: private dir (0700, 0755 refused), every file 0600 also
// on the way, free space checked before anything is written (statfs injected), sha256 catches one flipped byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HostRuntime } from '../../src/adapters/host.ts';
import { backupModule } from '../../src/backup/backup.ts';
import { BackupError, checkFreeSpace, DEFAULT_BACKUP_DIR, ensurePrivateDir } from '../../src/backup/contract.ts';
import { backupDir } from '../../src/backup/cli-options.ts';
import { verifyBackup } from '../../src/backup/manifest.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import type { Target } from '../../src/backup/target.ts';

const host: Target = { runtime: new HostRuntime(), kind: 'host', container: 'host' };

function workdir(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'cutover-contract-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const data = join(base, 'data');
  mkdirSync(join(data, 'sub'), { recursive: true });
  writeFileSync(join(data, 'a.cfg'), 'a=1\n');
  chmodSync(join(data, 'a.cfg'), 0o644);
  writeFileSync(join(data, 'sub', 'blob.bin'), Buffer.alloc(3_000_000, 9));
  return { base, data, dir: join(base, 'backups') };
}

/** Every entry under dir: files must be 0600, directories 0700. Returns what it saw. */
function walkModes(dir: string): { files: string[]; bad: string[] } {
  const files: string[] = [];
  const bad: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) return; // renamed away between readdir and lstat
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) bad.push(`${p}: dir mode ${mode.toString(8)}`);
      for (const n of readdirSync(p, { withFileTypes: false }) as string[]) walk(join(p, n));
    } else {
      files.push(p);
      if (mode !== 0o600) bad.push(`${p}: mode ${mode.toString(8)}`);
    }
  };
  walk(dir);
  return { files, bad };
}

test('a backup dir with mode 0755 is refused (exit 2, says why and how to fix); nothing is written into it', async (t) => {
  const { data, dir } = workdir(t);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  assert.throws(
    () => ensurePrivateDir(dir),
    (e: unknown) => e instanceof BackupError && e.outcome === 'bad-input' && /has mode 0755: group\/others can reach backups.*chmod 700/.test(e.message),
  );
  await assert.rejects(backupModule({ target: host, module: 'uptime-kuma', cls: 'E', dir, paths: [data] }), /mode 0755/);
  assert.deepEqual(readdirSync(dir), []);
  chmodSync(dir, 0o750);
  assert.throws(() => ensurePrivateDir(dir), /mode 0750/);
});

test('a missing backup dir is created 0700 (parents too); the default is /var/backups/cutover', (t) => {
  const { base } = workdir(t);
  const dir = join(base, 'var', 'backups', 'cutover');
  ensurePrivateDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(base, 'var')).mode & 0o777, 0o700);
  assert.equal(DEFAULT_BACKUP_DIR, '/var/backups/cutover');
  assert.equal(backupDir({}, { cwd: '/', env: {} } as never), '/var/backups/cutover');
  assert.equal(backupDir({}, { cwd: '/', env: { CUTOVER_BACKUP_DIR: '/srv/b' } } as never), '/srv/b');
});

test('every file is 0600 and every dir 0700 during the backup (temp archive, staging) and after it: class E', async (t) => {
  const { data, dir } = workdir(t);
  const seen = new Set<string>();
  const bad: string[] = [];
  const r = await backupModule({
    target: host,
    module: 'uptime-kuma',
    cls: 'E',
    dir,
    paths: [data],
    onProgress: () => {
      const w = walkModes(dir);
      w.files.forEach((f) => seen.add(f.slice(dir.length + 1)));
      bad.push(...w.bad);
    },
  });
  assert.deepEqual(bad, []);
  assert.ok([...seen].some((f) => /^\.uptime-kuma-\d{8}-\d{6}\.tar\.gz\.\d+\.tmp$/.test(f)), `the temp archive was observed: ${[...seen].join(', ')}`);
  const after = walkModes(dir);
  assert.deepEqual(after.bad, []);
  assert.deepEqual(after.files.map((f) => f.slice(dir.length + 1)).sort(), [r.manifest.files[0]!.name, `${r.manifest.files[0]!.name.replace('.tar.gz', '')}.manifest.json`].sort());
});

test('every file is 0600 during and after a class S backup (pulled copies, sqlite backup copy in staging)', async (t) => {
  const { base, dir } = workdir(t);
  const db = new Database(join(base, 'inbox.db'));
  db.exec('CREATE TABLE t (x TEXT)');
  db.prepare('INSERT INTO t VALUES (?)').run('hello');
  db.close();
  chmodSync(join(base, 'inbox.db'), 0o644);
  writeFileSync(join(base, 'keys.json'), '{"k":"secret"}', { mode: 0o644 });
  const bad: string[] = [];
  const seen = new Set<string>();
  await backupModule({
    target: host,
    module: 'arne-msg',
    cls: 'S',
    dir,
    paths: [join(base, 'inbox.db'), join(base, 'keys.json')],
    onProgress: () => {
      const w = walkModes(dir);
      w.files.forEach((f) => seen.add(f.slice(dir.length + 1)));
      bad.push(...w.bad);
    },
  });
  assert.deepEqual(bad, []);
  assert.ok([...seen].some((f) => f.startsWith('.staging-')), `staging files were observed: ${[...seen].join(', ')}`);
  assert.deepEqual(walkModes(dir).bad, []);
});

test('free space is checked before anything is written: a too-small filesystem (statfs port) refuses', async (t) => {
  const { data, dir } = workdir(t);
  const asked: string[] = [];
  const small = (p: string) => {
    asked.push(p);
    return { bavail: 100, bsize: 4096 }; // 400 KiB free, data is ~3 MB
  };
  await assert.rejects(
    backupModule({ target: host, module: 'uptime-kuma', cls: 'E', dir, paths: [data], statfs: small }),
    (e: unknown) => e instanceof BackupError && /not enough space in .*backups: 400\.0 KiB free, backup needs about 3\.1 MiB \(data 2\.9 MiB \+ 10%\); nothing was written/.test(e.message),
  );
  assert.deepEqual(asked, [dir]);
  assert.deepEqual(readdirSync(dir), [], 'no staging dir, no temp file, no manifest');
  const r = await backupModule({ target: host, module: 'uptime-kuma', cls: 'E', dir, paths: [data], statfs: () => ({ bavail: 1000, bsize: 4096 * 1024 }) });
  assert.equal(r.manifest.files.length, 1);
  assert.deepEqual(checkFreeSpace(dir, 1000, () => ({ bavail: 1n, bsize: 1100n })), { freeBytes: 1100, needBytes: 1100 });
  assert.throws(() => checkFreeSpace(dir, 1000, () => ({ bavail: 1, bsize: 1099 })), /not enough space/);
});

test('one flipped byte in the archive fails verify by sha256 (file and both hashes named) and restore writes nothing', async (t) => {
  const { base, data, dir } = workdir(t);
  const r = await backupModule({ target: host, module: 'uptime-kuma', cls: 'E', dir, paths: [data] });
  assert.equal((await verifyBackup(r.manifestPath)).ok, true);
  const file = r.manifest.files[0]!;
  const path = join(dir, file.name);
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(path, bytes);
  const v = await verifyBackup(r.manifestPath);
  assert.equal(v.ok, false);
  assert.equal(v.problems.length, 1, 'same size, so only the hash differs');
  const actual = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
  assert.equal(v.problems[0], `${file.name}: sha256 mismatch (corrupted or replaced): file has ${actual}, manifest records ${file.sha256}`);
  const to = join(base, 'restore-here');
  await assert.rejects(restoreBackup({ manifestPath: r.manifestPath, toDir: to }), /fails verification, refusing to restore:\n {2}.*sha256 mismatch/);
  assert.equal(statSync(to, { throwIfNoEntry: false }), undefined, 'the restore target was not even created');
});
