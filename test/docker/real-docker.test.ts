// Backup-before-apply against a real Docker daemon (npm run test:docker: scripts/test-docker.sh runs its own
// dockerd in private namespaces). Everything goes through the real binary, as an operator runs it:
// audit --modules, then per class backup, restore into a scratch container and drill (restore compared
// with the original). Drills restore into a scratch postgres / redis-server on this machine (loopback of
// the lane's network namespace).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import Database from 'better-sqlite3';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { BUSYBOX_IMAGE, docker, laneWork, psql, SERVICES_IMAGE, shaIn, startWorld, stopWorld, waitFor, type World } from './world.ts';

let w: World;
const scratch: string[] = [];
let writer: Database.Database | undefined;

before(async () => {
  w = await startWorld(laneWork());
});
after(async () => {
  writer?.close();
  await execa('umount', [join(w?.base ?? '/nonexistent', 'tiny')], { reject: false });
  await stopWorld(scratch);
});

const cutover = (args: string[], env: Record<string, string> = {}) => runCli(args, { timeoutMs: 300_000, env, cwd: w.base });
const common = () => ['--modules', w.modules, '--dir', w.backups];
function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  return r;
}
const manifestOf = (r: CliResult) => JSON.parse(r.stdout) as { manifestPath: string; manifest: { class: string; method: string; container: string; files: { name: string; sha256: string; size: number; entries?: { path: string; type: string; sha256?: string }[] }[]; source: { paths: string[]; detail?: Record<string, string> }; notes: string[] } };

/** The backup dir is 0700 and every file in it 0600 (archives, manifests, drills.jsonl). */
function assertPrivate(dir: string): void {
  assert.equal(statSync(dir).mode & 0o777, 0o700, `${dir} mode`);
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    if (st.isFile()) assert.equal(st.mode & 0o777, 0o600, `${name} has mode ${(st.mode & 0o777).toString(8)}`);
  }
}

/** A copy of one backup (manifest + files) in its own 0700 dir, to damage without touching the original. */
function copyBackup(manifestPath: string, suffix: string): string {
  const dir = mkdtempSync(join(w.base, `damaged-${suffix}-`));
  chmodSync(dir, 0o700);
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { name: string }[] };
  for (const f of [manifestPath, ...m.files.map((x) => join(dirname(manifestPath), x.name))]) copyFileSync(f, join(dir, f.split('/').at(-1)!));
  return join(dir, manifestPath.split('/').at(-1)!);
}

/** Files under dir whose name is `name` (a restored tree keeps the source's absolute path). */
function findFile(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === name) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

test('real docker: class A', async () => {
  const pg = w.containers.postgres;
  await psql(pg, 'CREATE DATABASE kuma');
  await psql(pg, `CREATE TABLE events (id bigserial PRIMARY KEY, body text NOT NULL); CREATE TABLE counter (n bigint NOT NULL); INSERT INTO counter VALUES (0);
    INSERT INTO events (body) SELECT 'seed ' || g || ' ' || repeat(md5(g::text), 4) FROM generate_series(1, 150000) g;`, 'kuma');
  // free space is checked first: a 1 MiB filesystem is refused before anything is written
  const tiny = join(w.base, 'tiny');
  mkdirSync(tiny);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', tiny]);
  const refused = await cutover(['backup', 'postgres', '--modules', w.modules, '--dir', tiny]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, new RegExp(`not enough space in ${tiny}: .* free, backup needs about .*nothing was written`));
  assert.deepEqual(readdirSync(tiny), []);
  await execa('umount', [tiny]);

  // a writer commits one row + the counter per transaction, all through the backup
  const live = () => psql(pg, `SELECT count(*) FROM events WHERE body LIKE 'live %'`, 'kuma').then((r) => Number(r.stdout.trim()));
  const writing = docker(['exec', '-e', 'PGAPPNAME=writer', pg, 'psql', '-X', '-U', 'postgres', '-d', 'kuma', '-v', 'ON_ERROR_STOP=1', '-c', `DO $$ BEGIN FOR i IN 1..1000000 LOOP INSERT INTO events (body) VALUES ('live ' || i); UPDATE counter SET n = n + 1; COMMIT; PERFORM pg_sleep(0.002); END LOOP; END $$;`], { ok: false, timeoutMs: 600_000 });
  await waitFor(async () => (await live()) > 20, 'the writer');
  const before = await live();
  const r = ok(await cutover(['backup', 'postgres', ...common(), '--json']), 'backup postgres');
  const afterBackup = await live();
  await psql(pg, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'writer'`);
  await writing;
  assert.ok(afterBackup > before, `rows were written during the backup (${before} → ${afterBackup})`);
  const { manifestPath, manifest } = manifestOf(r);
  assert.equal(manifest.class, 'A');
  assert.equal(manifest.method, 'pg_dumpall');
  assert.equal(manifest.container, pg, 'found by its compose labels (v2 name)');
  assert.match(manifest.files[0]!.name, /^postgres-\d{8}-\d{6}\.sql\.gz$/);
  assertPrivate(w.backups);

  // restore into a fresh postgres container: the dump is one consistent snapshot taken during the writes
  scratch.push('pg-scratch');
  await docker(['run', '-d', '--name', 'pg-scratch', '--network', 'none', SERVICES_IMAGE, 'pg-start']);
  await waitFor(async () => (await docker(['exec', 'pg-scratch', 'psql', '-X', '-U', 'postgres', '-tAc', 'SELECT 1'], { ok: false })).stdout.trim() === '1', 'scratch postgres');
  const dry = await cutover(['restore', manifestPath, '--to', 'pg-scratch', '--runtime', 'docker']);
  assert.equal(dry.code, 2, 'refused without --yes');
  ok(await cutover(['restore', manifestPath, '--to', 'pg-scratch', '--runtime', 'docker', '--yes']), 'restore into pg-scratch');
  const [rows, counter] = (await psql('pg-scratch', `SELECT (SELECT count(*) FROM events WHERE body LIKE 'live %') || ' ' || (SELECT n FROM counter)`, 'kuma')).stdout.trim().split(' ').map(Number);
  assert.equal(rows, counter, 'rows and counter from the same snapshot');
  assert.ok(rows! >= before && rows! <= afterBackup, `the snapshot lies within the backup (${before} ≤ ${rows} ≤ ${afterBackup})`);
  const seedSum = `SELECT md5(string_agg(id || ':' || body, ',' ORDER BY id)) FROM events WHERE body LIKE 'seed %'`;
  assert.equal((await psql('pg-scratch', seedSum, 'kuma')).stdout, (await psql(pg, seedSum, 'kuma')).stdout, 'the 150000 seeded rows are equal');

  // drill: restore into a scratch cluster and compare with the original (writes have stopped)
  const drill = ok(await cutover(['drill', 'postgres', ...common()]), 'drill postgres');
  assert.match(drill.stderr, /checked: pg_dumpall of the restored scratch cluster == of the original/);
  assert.match(drill.stderr, /✓ restore proven for postgres/);
  // a tampered dump fails the drill and the restore, naming both sums
  const bad = copyBackup(manifestPath, 'a');
  const gz = join(dirname(bad), manifest.files[0]!.name);
  const bytes = readFileSync(gz);
  bytes.writeUInt8(bytes[bytes.length >> 1]! ^ 0xff, bytes.length >> 1);
  writeFileSync(gz, bytes);
  const tampered = await cutover(['drill', 'postgres', ...common(), '--backup', bad]);
  assert.equal(tampered.code, 1, tampered.stderr);
  assert.match(tampered.stderr, new RegExp(`sha256 mismatch \\(corrupted or replaced\\): file has [0-9a-f]{64}, manifest records ${manifest.files[0]!.sha256}`));
  assert.equal((await cutover(['restore', bad, '--to', 'pg-scratch', '--runtime', 'docker', '--yes'])).code, 1);
  assertPrivate(w.backups);
});

test('real docker: class B', async () => {
  const redis = w.containers.redis;
  const cmds = Array.from({ length: 400 }, (_, i) => `SET session:${i} token-${i}-${'x'.repeat(i % 50)}`).join('\n') + '\nHSET user:1 name arne mail arne@example.test\nRPUSH queue a b c\n';
  await docker(['exec', '-i', redis, 'redis-cli'], { input: cmds });
  const lastsave = async () => Number((await docker(['exec', redis, 'redis-cli', 'LASTSAVE'])).stdout.trim());
  const saveBefore = await lastsave();
  const r = ok(await cutover(['backup', 'redis', ...common(), '--json']), 'backup redis');
  const { manifestPath, manifest } = manifestOf(r);
  assert.equal(manifest.class, 'B');
  assert.equal(manifest.method, 'bgsave+archive', 'BGSAVE was waited for');
  assert.ok((await lastsave()) > saveBefore, 'LASTSAVE advanced');
  assert.equal(manifest.container, w.containers.redis, 'found by its compose labels (v1 name)');
  assert.deepEqual(manifest.source.detail, { dir: '/data', dbfilename: 'dump.rdb' });
  const rdb = manifest.files[0]!.entries!.find((e) => e.path.endsWith('/dump.rdb'));
  assert.ok(rdb, 'dump.rdb archived');
  assert.equal(rdb.sha256, await shaIn(redis, '/data/dump.rdb'), "archived dump.rdb == the container's");
  assertPrivate(w.backups);

  // restore into a directory, then serve it from a scratch redis container: same keys and values
  const to = join(w.base, 'restore-b');
  ok(await cutover(['restore', manifestPath, '--to', to, '--yes']), 'restore redis');
  const restored = findFile(to, 'dump.rdb');
  assert.equal(restored.length, 1);
  scratch.push('redis-scratch');
  await docker(['run', '-d', '--name', 'redis-scratch', '--network', 'none', '-v', `${dirname(restored[0]!)}:/data`, SERVICES_IMAGE, 'redis-server', '--bind', '127.0.0.1', '--dir', '/data', '--save', '', '--appendonly', 'no']);
  await waitFor(async () => (await docker(['exec', 'redis-scratch', 'redis-cli', 'PING'], { ok: false })).stdout.trim() === 'PONG', 'scratch redis');
  for (const args of [['DBSIZE'], ['GET', 'session:399'], ['HGETALL', 'user:1'], ['LRANGE', 'queue', '0', '-1']]) {
    assert.equal((await docker(['exec', 'redis-scratch', 'redis-cli', ...args])).stdout, (await docker(['exec', redis, 'redis-cli', ...args])).stdout, args.join(' '));
  }
  assert.equal((await docker(['exec', 'redis-scratch', 'redis-cli', 'DBSIZE'])).stdout.trim(), '402');

  const drill = ok(await cutover(['drill', 'redis', ...common()]), 'drill redis');
  assert.match(drill.stderr, /checked: redis key count \(402\) and DUMP of 20 sample keys == original/);
  // a key deleted after the backup: drilling that backup finds the original no longer equal (the drill
  // compares the key count and DUMPs of a 20-key sample, so a changed value outside it would pass)
  await docker(['exec', redis, 'redis-cli', 'DEL', 'session:0']);
  const stale = await cutover(['drill', 'redis', ...common(), '--backup', manifestPath]);
  assert.equal(stale.code, 1, stale.stderr);
  assert.match(stale.stderr, /key count: original 401, restored 402/);
});

test('real docker: class E', async () => {
  const kuma = w.containers.kuma;
  // uptime-kuma-like: a SQLite database in the named volume, a config file in a bind mount
  const src = join(w.base, 'kuma.db');
  const db = new Database(src);
  db.exec('CREATE TABLE monitor (id INTEGER PRIMARY KEY, name TEXT, url TEXT); CREATE TABLE heartbeat (id INTEGER PRIMARY KEY, monitor_id INT, status INT, msg TEXT)');
  const ins = db.prepare('INSERT INTO heartbeat (monitor_id, status, msg) VALUES (?, ?, ?)');
  db.prepare('INSERT INTO monitor (name, url) VALUES (?, ?)').run('posta', 'https://arne.example.test/health');
  for (let i = 0; i < 3000; i++) ins.run(1, i % 7 ? 1 : 0, `beat ${i}`);
  db.close();
  await docker(['cp', src, `${kuma}:/app/data/kuma.db`]);
  const original = await shaIn(kuma, '/app/data/kuma.db');

  const r = ok(await cutover(['backup', 'uptime-kuma', ...common(), '--json']), 'backup uptime-kuma');
  const { manifestPath, manifest } = manifestOf(r);
  assert.equal(manifest.class, 'E');
  assert.equal(manifest.method, 'archive');
  assert.equal(manifest.container, kuma);
  assert.equal(manifest.source.paths.length, 2, 'both mounts: the named volume and the bind mount');
  const entry = manifest.files[0]!.entries!.find((e) => e.path.endsWith('/kuma.db'));
  assert.equal(entry?.sha256, original, "archived kuma.db == sha256sum inside the container");
  assert.ok(manifest.files[0]!.entries!.some((e) => e.path.endsWith('/config.json')));
  assertPrivate(w.backups);

  // restore, then mount the restored volume into a scratch container: the module's data is there, equal
  const to = join(w.base, 'restore-e');
  ok(await cutover(['restore', manifestPath, '--to', to, '--yes']), 'restore uptime-kuma');
  const restoredDb = findFile(to, 'kuma.db');
  assert.equal(restoredDb.length, 1);
  const seen = await docker(['run', '--rm', '--network', 'none', '-v', `${dirname(restoredDb[0]!)}:/app/data:ro`, BUSYBOX_IMAGE, 'sha256sum', '/app/data/kuma.db']);
  assert.equal(seen.stdout.split(/\s/)[0], original);

  const drill = ok(await cutover(['drill', 'uptime-kuma', ...common()]), 'drill uptime-kuma');
  assert.match(drill.stderr, /checked: restored file list \+ sha256 == live source/);
  assert.match(drill.stderr, /✓ restore proven for uptime-kuma/);

  // a truncated archive and a tampered one: both fail the drill, naming what differs
  const truncated = copyBackup(manifestPath, 'trunc');
  const tgz = (m: string) => join(dirname(m), manifest.files[0]!.name);
  truncateSync(tgz(truncated), manifest.files[0]!.size >> 1);
  const t1 = await cutover(['drill', 'uptime-kuma', ...common(), '--backup', truncated]);
  assert.equal(t1.code, 1, t1.stderr);
  assert.match(t1.stderr, new RegExp(`size ${manifest.files[0]!.size >> 1}, manifest says ${manifest.files[0]!.size}`));
  assert.match(t1.stderr, new RegExp(`file has [0-9a-f]{64}, manifest records ${manifest.files[0]!.sha256}`));
  const tampered = copyBackup(manifestPath, 'tamper');
  const bytes = readFileSync(tgz(tampered));
  bytes.writeUInt8(bytes[100]! ^ 0x01, 100);
  writeFileSync(tgz(tampered), bytes);
  const t2 = await cutover(['drill', 'uptime-kuma', ...common(), '--backup', tampered]);
  assert.equal(t2.code, 1, t2.stderr);
  assert.match(t2.stderr, new RegExp(`sha256 mismatch \\(corrupted or replaced\\): file has [0-9a-f]{64}, manifest records ${manifest.files[0]!.sha256}`));
});

test('real docker: class S', async () => {
  const arne = w.containers.arne;
  // posta's state in a bind mount: inbox.db in WAL mode with an open writer (frames not checkpointed) and
  // keys.json (148 bytes, as in the case a truncating copy once archived half of)
  const keys = JSON.stringify({ kid: 'arne-2026', alg: 'ed25519', public: 'p'.repeat(43), private: 's'.repeat(45) });
  assert.equal(keys.length, 148);
  writeFileSync(join(w.posta, 'keys.json'), keys, { mode: 0o600 });
  writer = new Database(join(w.posta, 'inbox.db'));
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('CREATE TABLE message (id INTEGER PRIMARY KEY, sender TEXT, body TEXT); CREATE TABLE auth_tokens (token TEXT PRIMARY KEY, last_seen_at INT)');
  const ins = writer.prepare('INSERT INTO message (sender, body) VALUES (?, ?)');
  for (let i = 0; i < 500; i++) ins.run(`peer${i % 9}@example.test`, `message ${i}`);
  writer.prepare('INSERT INTO auth_tokens VALUES (?, ?)').run('tok-1', 1767225600);
  assert.ok(statSync(join(w.posta, 'inbox.db-wal')).size > 0, 'rows are still in the -wal');
  const paths = ['--path', '/var/lib/posta/keys.json', '--path', '/var/lib/posta/inbox.db'];

  const r = ok(await cutover(['backup', 'arne-msg', ...common(), ...paths, '--json']), 'backup arne-msg');
  const { manifestPath, manifest } = manifestOf(r);
  assert.equal(manifest.class, 'S');
  assert.equal(manifest.method, 'sqlite online backup + files');
  assert.equal(manifest.container, arne, 'plain docker run: found by its name');
  const keysEntry = manifest.files[0]!.entries!.find((e) => e.path === 'var/lib/posta/keys.json');
  assert.equal(keysEntry?.sha256, await shaIn(arne, '/var/lib/posta/keys.json'));
  assertPrivate(w.backups);

  // restore, then into a scratch container: keys.json equal there, inbox.db intact with every row
  const to = join(w.base, 'restore-s');
  ok(await cutover(['restore', manifestPath, '--to', to, '--yes']), 'restore arne-msg');
  const restoredDb = new Database(join(to, 'var/lib/posta/inbox.db'), { readonly: true });
  assert.equal(restoredDb.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal((restoredDb.prepare('SELECT count(*) AS n FROM message').get() as { n: number }).n, 500, 'rows from the -wal are in the copy');
  restoredDb.close();
  const seen = await docker(['run', '--rm', '--network', 'none', '-v', `${join(to, 'var/lib/posta')}:/var/lib/posta:ro`, BUSYBOX_IMAGE, 'sha256sum', '/var/lib/posta/keys.json']);
  assert.equal(seen.stdout.split(/\s/)[0], await shaIn(arne, '/var/lib/posta/keys.json'));

  const drill = ok(await cutover(['drill', 'arne-msg', ...common(), ...paths]), 'drill arne-msg');
  assert.match(drill.stderr, /checked: \/var\/lib\/posta\/keys\.json: sha256 == original \(computed in docker:arne-msg\)/);
  assert.match(drill.stderr, /checked: \/var\/lib\/posta\/inbox\.db: sqlite tables, row counts and row hashes == original \(a fresh online-backup copy from docker:arne-msg\)/);

  // a docker CLI whose `cp` keeps only half of each file: backup refuses naming both sums, drill fails
  const bin = join(w.base, 'truncating-docker');
  mkdirSync(bin);
  const real = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\n"${real}" "$@" || exit $?\nif [ "$1" = cp ] && [ -f "$3" ]; then truncate -s $(( $(stat -c %s "$3") / 2 )) "$3"; fi\n`, { mode: 0o755 });
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const files = readdirSync(w.backups).length;
  const refused = await cutover(['backup', 'arne-msg', ...common(), ...paths], env);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /\/var\/lib\/posta\/keys\.json: the copy from docker:arne-msg differs from the source, refusing to archive it: source sha256 [0-9a-f]{64} \(148 bytes\), copy sha256 [0-9a-f]{64} \(74 bytes\)/);
  assert.equal(readdirSync(w.backups).length, files, 'nothing written');
  const failed = await cutover(['drill', 'arne-msg', ...common(), ...paths], env);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /✗ backup failed: arne-msg: \/var\/lib\/posta\/keys\.json: the copy from docker:arne-msg differs from the source/);
  assert.doesNotMatch(failed.stderr, /restore proven/);
});

test('real docker: audit', async () => {
  const r = ok(await cutover(['audit', '--modules', w.modules, '--runtime', 'docker', '--dir', w.backups, '--json']), 'audit --json');
  type Row = { module: string; class: string; mounts: string[]; dataBytes: number | null; readiness: string; runtime?: { container?: string; error?: string; mounts?: { type: string; name: string | null; source: string; destination: string; bytes: number | null; sizeFrom: string | null }[] } };
  const rows = new Map((JSON.parse(r.stdout) as { modules: Row[] }).modules.map((x) => [x.module, x]));
  assert.deepEqual([...rows.keys()], ['arne-msg', 'postgres', 'redis', 'uptime-kuma'], 'the stateful modules (whoami is stateless)');
  assert.deepEqual([...rows.values()].map((x) => [x.module, x.class, x.runtime?.container]), [
    ['arne-msg', 'S', 'arne-msg'],
    ['postgres', 'A', w.containers.postgres],
    ['redis', 'B', w.containers.redis],
    ['uptime-kuma', 'E', w.containers.kuma],
  ]);
  // mounts and sizes from docker inspect / docker system df -v, checked against the daemon and the disk
  const kuma = rows.get('uptime-kuma')!;
  assert.deepEqual(kuma.mounts.sort(), ['/app/config', '/app/data']);
  const vol = kuma.runtime!.mounts!.find((m) => m.type === 'volume')!;
  const bind = kuma.runtime!.mounts!.find((m) => m.type === 'bind')!;
  assert.equal(vol.name, 'platform_kuma-data');
  assert.equal(vol.source, (await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'platform_kuma-data'])).stdout.trim());
  assert.equal(vol.sizeFrom, 'docker system df');
  const onDisk = statSync(join(vol.source, 'kuma.db')).size;
  assert.ok(vol.bytes !== null && Math.abs(vol.bytes - onDisk) <= onDisk * 0.01, `volume size ${vol.bytes} ≈ ${onDisk} on disk`);
  assert.deepEqual([bind.source, bind.destination, bind.sizeFrom, bind.bytes], [w.kumaConfig, '/app/config', 'du', statSync(join(w.kumaConfig, 'config.json')).size]);
  assert.ok(rows.get('postgres')!.dataBytes! > 10_000_000, 'the postgres volume holds the 150000 rows');
  assert.deepEqual(rows.get('arne-msg')!.runtime!.mounts!.map((m) => [m.type, m.source, m.destination]), [['bind', w.posta, '/var/lib/posta']]);
  // every class was drilled above: restore proven
  for (const row of rows.values()) assert.equal(row.readiness, 'restore proven', row.module);

  // the same facts through Debian's docker.io client (20.10) when the default docker CLI is another one
  const debianCli = '/usr/bin/docker';
  const defaultCli = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
  if (defaultCli !== debianCli && existsSync(debianCli)) {
    const bin = mkdtempSync(join(w.base, 'debian-docker-'));
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nexec ${debianCli} "$@"\n`, { mode: 0o755 });
    const again = ok(await cutover(['audit', '--modules', w.modules, '--runtime', 'docker', '--dir', w.backups, '--json'], { PATH: `${bin}:${process.env.PATH}` }), `audit --json with ${debianCli}`);
    // postgres may write between the two audits: its sizes are not compared, everything else is
    const facts = (text: string) => (JSON.parse(text) as { modules: Row[] }).modules.map((x) => [x.module, x.class, x.runtime?.container, x.runtime?.error, x.runtime?.mounts?.map((m) => [m.type, m.name, m.source, m.destination, m.sizeFrom, x.module === 'postgres' ? null : m.bytes])]);
    assert.deepEqual(facts(again.stdout), facts(r.stdout), `${defaultCli} and ${debianCli} give the same audit`);
  }

  const table = ok(await cutover(['audit', '--modules', w.modules, '--runtime', 'docker', '--dir', w.backups]), 'audit');
  assert.match(table.stdout, /^uptime-kuma\s+E\s+2\s+\S+\s+\d{4}-\d\d-\d\d \S+\s+\d{4}-\d\d-\d\d\s+restore$/m);
  assert.match(table.stdout, /4 stateful of 5 modules · restore proven 4/);
  assert.ok(table.stdout.split('\n').every((l) => [...l].length <= 80));
  assert.ok(existsSync(join(w.backups, 'drills.jsonl')));
});
