// Drills against real services: a PostgreSQL 15 cluster and a redis-server started here on loopback, real
// files and a real SQLite database. Each drill backs up, restores into a scratch target and compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import Database from 'better-sqlite3';
import { HostRuntime } from '../../src/adapters/host.ts';
import { runDrill, readDrills } from '../../src/backup/drill.ts';
import { startScratchPostgres, startScratchRedis } from '../../src/backup/scratch.ts';
import type { Target } from '../../src/backup/target.ts';

const host: Target = { runtime: new HostRuntime(), kind: 'host', container: 'host' };

function workdir(t: { after(fn: () => void): void }): { base: string; backups: string } {
  const base = mkdtempSync(join(tmpdir(), 'cutover-drill-test-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return { base, backups: join(base, 'backups') };
}

function assertAllPrivate(dir: string): void {
  for (const name of readdirSync(dir)) {
    const mode = statSync(join(dir, name)).mode & 0o777;
    assert.equal(mode, 0o600, `${name} has mode ${mode.toString(8)}`);
  }
  assert.equal(statSync(dir).mode & 0o777, 0o700);
}

test('class A: pg_dumpall of a real postgres restores into a scratch cluster with an equal dump', async (t) => {
  const { backups } = workdir(t);
  const pg = await startScratchPostgres();
  t.after(() => pg.stop());
  const ep = { host: pg.host, port: pg.port, user: 'postgres' };
  const psql = (sql: string, db = 'postgres') => execa('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', db, '-c', sql]);
  await psql('CREATE ROLE app LOGIN');
  await psql('CREATE DATABASE inbox OWNER app');
  await psql(`CREATE TABLE msg (id serial primary key, body text, at timestamptz default '2026-01-01'); INSERT INTO msg (body) SELECT 'hello ' || g FROM generate_series(1, 500) g;`, 'inbox');

  const drill = await runDrill({ target: host, module: 'honcho-postgres', cls: 'A', dir: backups, paths: [], pg: ep });
  assert.deepEqual(drill.problems, []);
  assert.equal(drill.ok, true);
  assert.match(drill.checks.join('\n'), /pg_dumpall of the restored scratch cluster == of the original/);
  assert.ok(readdirSync(backups).some((f) => /^honcho-postgres-\d{8}-\d{6}\.sql\.gz$/.test(f)));
  assertAllPrivate(backups);
  assert.equal(readDrills(backups).at(-1)?.ok, true);
});

test('class B: BGSAVE + data dir archive restores into a scratch redis with equal keys and values', async (t) => {
  const { base, backups } = workdir(t);
  const data = join(base, 'redis-data');
  mkdirSync(data, { mode: 0o700 });
  const redis = await startScratchRedis({ dir: data });
  t.after(() => redis.stop());
  const cli = (...args: string[]) => execa('redis-cli', ['-h', redis.host, '-p', String(redis.port), ...args]);
  for (let i = 0; i < 300; i++) await cli('SET', `token:${i}`, `v${i}-${'x'.repeat(i % 40)}`);
  await cli('HSET', 'identity:arne', 'name', 'Arne', 'role', 'owner');
  await cli('RPUSH', 'queue', 'a', 'b', 'c');

  const drill = await runDrill({ target: host, module: 'honcho-redis', cls: 'B', dir: backups, paths: [], redis: { host: redis.host, port: redis.port } });
  assert.deepEqual(drill.problems, []);
  assert.match(drill.checks.join('\n'), /redis key count \(302\) and DUMP of 20 sample keys == original/);
  assertAllPrivate(backups);
});

test('class B: a changed value after the backup makes the drill fail', async (t) => {
  const { base, backups } = workdir(t);
  const data = join(base, 'redis-data');
  mkdirSync(data, { mode: 0o700 });
  const redis = await startScratchRedis({ dir: data });
  t.after(() => redis.stop());
  const cli = (...args: string[]) => execa('redis-cli', ['-h', redis.host, '-p', String(redis.port), ...args]);
  await cli('SET', 'a', '1');
  // A drill compares the live original against the restored backup; alter the original between the two.
  const target: Target = {
    ...host,
    runtime: Object.assign(Object.create(host.runtime), {
      exec: async (n: string, argv: string[], opts?: object) => {
        if (argv.includes('DBSIZE')) await cli('SET', 'b', '2');
        return host.runtime.exec(n, argv, opts);
      },
    }),
  };
  const drill = await runDrill({ target, module: 'redis', cls: 'B', dir: backups, paths: [], redis: { host: redis.host, port: redis.port } });
  assert.equal(drill.ok, false);
  assert.match(drill.problems.join('\n'), /key count: original 2, restored 1/);
});

test('class E: a directory tree round-trips with equal file list and sha256', async (t) => {
  const { base, backups } = workdir(t);
  const data = join(base, 'uptime-kuma');
  mkdirSync(join(data, 'upload', 'deep'), { recursive: true });
  writeFileSync(join(data, 'kuma.cfg'), 'a=1\n');
  writeFileSync(join(data, 'upload', 'deep', `${'long-name-'.repeat(15)}.bin`), Buffer.alloc(300_000, 3));
  writeFileSync(join(data, 'upload', 'empty'), '');
  chmodSync(join(data, 'kuma.cfg'), 0o640);

  const drill = await runDrill({ target: host, module: 'uptime-kuma', cls: 'E', dir: backups, paths: [data] });
  assert.deepEqual(drill.problems, []);
  assert.match(drill.checks.join('\n'), /restored file list \+ sha256 == live source/);
  assertAllPrivate(backups);
});

test('class S: sqlite in WAL mode (open writer) + a single file round-trip', async (t) => {
  const { base, backups } = workdir(t);
  const dir = join(base, 'posta', 'arne');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ k: 'secret' }));
  const db = new Database(join(dir, 'inbox.db'));
  t.after(() => db.close());
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE auth_tokens (id INTEGER PRIMARY KEY, token TEXT, last_seen_at TEXT)');
  const insert = db.prepare('INSERT INTO auth_tokens (token, last_seen_at) VALUES (?, ?)');
  for (let i = 0; i < 1000; i++) insert.run(`tok-${i}`, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}`);

  const drill = await runDrill({ target: host, module: 'arne-msg', cls: 'S', dir: backups, paths: [join(dir, 'inbox.db'), join(dir, 'keys.json')] });
  assert.deepEqual(drill.problems, []);
  assert.match(drill.checks.join('\n'), /inbox\.db: sqlite tables, row counts and row hashes == original/);
  assertAllPrivate(backups);
  assert.equal(readDrills(backups).length, 1);
});
