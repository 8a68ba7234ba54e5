// The archive writers report the size and sha256 of the file they wrote (one hashing tap for both): the numbers
// match the file on disk, which is 0600; the archive lists its members with their own hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive, gzipFileTo } from '../../src/backup/archive.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('gzipFileTo and createArchive: size and sha256 are those of the file written, mode 0600', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const body = 'posta '.repeat(50_000);
  writeFileSync(join(dir, 'db.sqlite'), body);
  const gz = await gzipFileTo(join(dir, 'db.sqlite'), join(dir, 'db.sqlite.gz'));
  const written = readFileSync(join(dir, 'db.sqlite.gz'));
  assert.deepEqual(gz, { size: written.length, sha256: sha(written) });
  assert.ok(gz.size < body.length, 'compressed');
  assert.equal(statSync(join(dir, 'db.sqlite.gz')).mode & 0o777, 0o600);

  const a = await createArchive({ cwd: dir, members: ['db.sqlite'], outPath: join(dir, 'backup.tar.gz') });
  const tarGz = readFileSync(join(dir, 'backup.tar.gz'));
  assert.equal(a.size, tarGz.length);
  assert.equal(a.sha256, sha(tarGz));
  assert.equal(statSync(join(dir, 'backup.tar.gz')).mode & 0o777, 0o600);
  assert.equal(a.entries.find((e) => e.path.endsWith('db.sqlite'))?.sha256, sha(body));
});
