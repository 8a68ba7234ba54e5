// Docker, Vault and MinIO's mc cannot run here: their adapters are driven by recorded CLI outputs
// (test/fixtures/cli-contracts, sources in its README) replayed through a fake exec port. The backups
// themselves are real files in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DockerRuntime, parseComposePs, type DockerRun } from '../../src/adapters/docker.ts';
import { HostRuntime } from '../../src/adapters/host.ts';
import { backupModule } from '../../src/backup/backup.ts';
import { verifyBackup } from '../../src/backup/manifest.ts';
import { parseMcMirrorJson } from '../../src/backup/minio.ts';
import { vaultSnapshotFailure } from '../../src/backup/vault.ts';
import type { ExecOptions, ExecResult } from '../../src/ports.ts';

const FIX = new URL('../fixtures/cli-contracts/', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const vault = JSON.parse(fixture('vault-snapshot-save.json')) as Record<string, ExecResult>;
const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const REMOTE = '/tmp/cutover-backup.Ab12Cd';

interface Call {
  args: string[];
  env?: Record<string, string>;
}

/** A docker CLI that answers from a table of handlers (first match wins) and records every call. */
function fakeDocker(handlers: [match: (args: string[]) => boolean, answer: (args: string[]) => ExecResult][]): { run: DockerRun; calls: Call[] } {
  const calls: Call[] = [];
  const run: DockerRun = async (args, opts = {}) => {
    calls.push({ args, env: opts.env });
    for (const [m, a] of handlers) if (m(args)) return a(args);
    return { exitCode: 1, stdout: '', stderr: `unexpected docker ${args.join(' ')}` };
  };
  return { run, calls };
}
const execOf = (args: string[]) => {
  const i = args.findIndex((a, n) => n > 0 && !a.startsWith('-') && args[n - 1] !== '-e' && args[n - 1] !== '-w');
  return args.slice(i + 1);
};
const isExec = (prog: string, ...rest: string[]) => (args: string[]) => args[0] === 'exec' && execOf(args)[0] === prog && rest.every((r, i) => execOf(args)[i + 1] === r);

/** The calls every backup through `docker exec` makes besides its main one. */
function plumbing(pulled: Record<string, string>): [(args: string[]) => boolean, (args: string[]) => ExecResult][] {
  return [
    [isExec('mktemp'), () => ok(`${REMOTE}\n`)],
    [
      // stat + sha256sum of the source where it lives (backups compare their copy with it)
      (a) => a[0] === 'exec' && execOf(a)[0] === 'sh' && (execOf(a)[2] ?? '').includes('sha256sum'),
      (a) => {
        const local = pulled[execOf(a).at(-1)!];
        if (!local) return { exitCode: 1, stdout: '', stderr: `stat: can't stat '${execOf(a).at(-1)}': No such file or directory` };
        const bytes = readFileSync(local);
        return ok(`${bytes.length}\n${createHash('sha256').update(bytes).digest('hex')}  ${execOf(a).at(-1)}\n`);
      },
    ],
    [isExec('rm'), () => ok()],
    [
      (a) => a[0] === 'cp',
      (a) => {
        const src = Object.entries(pulled).find(([remote]) => a[1] === `${a[1]!.split(':')[0]}:${remote}`);
        if (!src) return { exitCode: 1, stdout: '', stderr: `Error: Could not find the file ${a[1]}` };
        copyFileSync(src[1], a[2]!);
        return ok();
      },
    ],
  ];
}

function workdir(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'cutover-contract-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const data = join(base, 'volume');
  mkdirSync(data);
  writeFileSync(join(data, 'raft.db'), Buffer.alloc(4096, 7));
  return { base, data, dir: join(base, 'backups') };
}

test('docker inspect: mounts as recorded (volume with its name, read-only bind), missing container is null', async () => {
  const { run } = fakeDocker([
    [(a) => a[0] === 'inspect' && a.at(-1) === 'honcho-postgres', () => ok(fixture('docker-inspect-honcho-postgres.json'))],
    [(a) => a[0] === 'inspect', () => JSON.parse(fixture('docker-inspect-missing.json')) as ExecResult],
  ]);
  const d = new DockerRuntime(run);
  // sorted by destination (the daemon's own order changes between calls)
  assert.deepEqual(await d.mounts('honcho-postgres'), [
    { type: 'bind', name: null, source: '/opt/platform/honcho/initdb', destination: '/docker-entrypoint-initdb.d', rw: false },
    { type: 'volume', name: 'honcho_pgdata', source: '/var/lib/docker/volumes/honcho_pgdata/_data', destination: '/var/lib/postgresql/data', rw: true },
  ]);
  const inst = await d.get('honcho-postgres');
  assert.equal(inst?.name, 'honcho-postgres');
  assert.equal(inst?.status, 'Running');
  assert.equal(inst?.config['com.docker.compose.service'], 'honcho-postgres');
  assert.equal(await d.get('nope'), null);
  await assert.rejects(d.mounts('nope'), /no such container: nope/);
});

test('docker compose ps --format json: JSON Lines and the older array form give the same rows; services resolve to containers', async () => {
  const lines = parseComposePs(fixture('docker-compose-ps.jsonl'));
  assert.deepEqual(parseComposePs(fixture('docker-compose-ps-array.json')), lines);
  assert.deepEqual(
    lines.map((r) => [r.Service, r.Name, r.State]),
    [
      ['honcho-postgres', 'honcho-postgres', 'running'],
      ['honcho-redis', 'honcho-honcho-redis-1', 'running'],
      ['api', 'honcho-api-1', 'exited'],
    ],
  );
  const { run, calls } = fakeDocker([
    [(a) => a[0] === 'compose', () => ok(fixture('docker-compose-ps.jsonl'))],
    [(a) => a[0] === 'ps', () => ok('')],
    [(a) => a[0] === 'inspect', () => JSON.parse(fixture('docker-inspect-missing.json')) as ExecResult],
  ]);
  const d = new DockerRuntime(run);
  // no labelled container (a compose that labels differently): the project's `compose ps` names it
  assert.equal(await d.resolveContainer('honcho-redis', { composeProject: 'honcho' }), 'honcho-honcho-redis-1');
  assert.deepEqual(calls[0]!.args.slice(0, 6), ['ps', '-a', '--filter', 'label=com.docker.compose.service=honcho-redis', '--filter', 'label=com.docker.compose.project=honcho']);
  assert.deepEqual(calls[1]!.args, ['compose', '-p', 'honcho', 'ps', '--all', '--format', 'json']);
  await assert.rejects(d.resolveContainer('karakeep', { composeProject: 'honcho' }), /no container for module "karakeep": neither a compose service label in project honcho nor a container name matches/);
});

test('docker ps label lookup first, container name as fallback; two containers for one service are refused', async () => {
  const { run } = fakeDocker([
    [(a) => a[0] === 'ps' && a.includes('label=com.docker.compose.service=uptime-kuma'), () => ok('platform-uptime-kuma-1\n')],
    [(a) => a[0] === 'ps' && a.includes('label=com.docker.compose.service=synapse'), () => ok('synapse-1\t\nsynapse-2\tFalse\n')],
    [(a) => a[0] === 'ps' && a.includes('label=com.docker.compose.service=backup-job'), () => ok('platform-backup-job-run-1a2b3c\tTrue\nplatform-backup-job-1\tFalse\n')],
    [(a) => a[0] === 'ps', () => ok('')],
    [(a) => a[0] === 'inspect' && a.at(-1) === 'honcho-postgres', () => ok(fixture('docker-inspect-honcho-postgres.json'))],
  ]);
  const d = new DockerRuntime(run);
  assert.equal(await d.resolveContainer('uptime-kuma'), 'platform-uptime-kuma-1');
  assert.equal(await d.resolveContainer('backup-job'), 'platform-backup-job-1', 'a one-off `compose run` container is not the service');
  assert.equal(await d.resolveContainer('honcho-postgres'), 'honcho-postgres');
  await assert.rejects(d.resolveContainer('synapse'), /has 2 containers \(synapse-1, synapse-2\): pass --container NAME/);
});

test('docker system df -v --format {{json .}}: volume sizes in bytes (decimal go-units), N/A skipped', async () => {
  const { run, calls } = fakeDocker([[(a) => a[0] === 'system', () => ok(fixture('docker-system-df-v.json'))]]);
  const sizes = await new DockerRuntime(run).volumeSizes();
  assert.deepEqual(calls[0]!.args, ['system', 'df', '-v', '--format', '{{json .}}']);
  assert.deepEqual([...sizes], [
    ['honcho_pgdata', 44_520_000],
    ['honcho_redis', 512_000],
    ['vault_data', 1_200_000_000],
  ]);
});

test('class C with VAULT_TOKEN: raft snapshot through docker exec, the token in the environment only, never in argv', async (t) => {
  const { base, data, dir } = workdir(t);
  const snap = join(base, 'vault.snap');
  writeFileSync(snap, Buffer.from('raft snapshot bytes'));
  const { run, calls } = fakeDocker([
    [isExec('vault', 'operator', 'raft', 'snapshot', 'save'), () => vault.success!],
    [isExec('vault', 'version'), () => ok('Vault v1.15.6 (615cf6f1dce9aa91bc2035ce33b9f689952218f0), built 2024-02-28T17:07:34Z\n')],
    ...plumbing({ [`${REMOTE}/vault.snap`]: snap }),
  ]);
  const r = await backupModule({
    target: { runtime: new DockerRuntime(run), kind: 'docker', container: 'vault' },
    module: 'vault',
    cls: 'C',
    dir,
    paths: [data],
    pathsOnHost: true,
    env: { VAULT_TOKEN: 's.very-secret-token' },
  });
  assert.equal(r.manifest.method, 'vault raft snapshot');
  assert.equal(r.manifest.files[0]!.kind, 'snapshot');
  assert.match(r.manifest.tools.vault!, /^Vault v1\.15\.6/);
  const save = calls.find((c) => c.args.includes('save'))!;
  assert.deepEqual(save.args.slice(0, 4), ['exec', '-e', 'VAULT_TOKEN', 'vault']);
  assert.equal(save.env?.VAULT_TOKEN, 's.very-secret-token');
  assert.ok(!calls.some((c) => c.args.join(' ').includes('s.very-secret-token')), 'token must not be in any argv');
  assert.ok(calls.some((c) => c.args[0] === 'exec' && execOf(c.args).join(' ') === `rm -rf -- ${REMOTE}`), 'remote temp dir removed');
  assert.equal((await verifyBackup(r.manifestPath)).ok, true);
});

test('class C: a 403 or a sealed vault falls back to the mount archive with the reason in a note', async (t) => {
  for (const [cas, reason] of [
    ['permissionDenied', /permission denied \(HTTP 403\)/],
    ['sealed', /sealed or unavailable \(HTTP 503\): Vault is sealed/],
  ] as const) {
    const { data, dir } = workdir(t);
    const { run } = fakeDocker([[isExec('vault', 'operator'), () => vault[cas]!], ...plumbing({})]);
    const r = await backupModule({ target: { runtime: new DockerRuntime(run), kind: 'docker', container: 'vault' }, module: 'vault', cls: 'C', dir, paths: [data], pathsOnHost: true, env: { VAULT_TOKEN: 't' } });
    assert.equal(r.manifest.method, 'archive (fallback)');
    assert.match(r.manifest.notes[0]!, reason);
    assert.deepEqual(r.manifest.files[0]!.entries!.filter((e) => e.type === 'file').map((e) => e.path.split('/').at(-1)), ['raft.db']);
  }
  assert.match(vaultSnapshotFailure(1, vault.badArgs!.stderr), /exit 1: Incorrect arguments/);
});

test('class C without VAULT_TOKEN: mount archive, nothing run in the container, a note says why', async (t) => {
  const { data, dir } = workdir(t);
  const { run, calls } = fakeDocker([]);
  const r = await backupModule({ target: { runtime: new DockerRuntime(run), kind: 'docker', container: 'vault' }, module: 'vault', cls: 'C', dir, paths: [data], pathsOnHost: true, env: {} });
  assert.equal(r.manifest.method, 'archive (fallback)');
  assert.deepEqual(r.manifest.notes, ['no VAULT_TOKEN: mounted data archive instead of a raft snapshot']);
  assert.deepEqual(calls, []);
});

test('mc mirror --json: pretty-printed objects (braces and quotes inside names) are counted; errors read', () => {
  assert.deepEqual(parseMcMirrorJson(fixture('mc-mirror-success.txt')), { objects: 3, bytes: 1_056_612, errors: [] });
  assert.deepEqual(parseMcMirrorJson(fixture('mc-mirror-error.txt')).errors, ['Failed to perform mirroring: The specified bucket does not exist']);
});

test('class D with MINIO_MC_ALIAS: mc mirror into the container temp dir, tarred there, pulled; counts in the manifest', async (t) => {
  const { base, data, dir } = workdir(t);
  const mirror = join(base, 'mirror');
  mkdirSync(join(mirror, 'identity'), { recursive: true });
  writeFileSync(join(mirror, 'identity', 'arne.json'), '{}');
  const tgz = join(base, 'mirror.tar.gz');
  execFileSync('tar', ['--create', '--gzip', '--file', tgz, '--directory', base, 'mirror']);
  const { run, calls } = fakeDocker([
    [isExec('mc', 'mirror'), () => ok(fixture('mc-mirror-success.txt'))],
    [isExec('mc', '--version'), () => ok('mc version RELEASE.2024-03-13T23-51-57Z (commit-id=…)\n')],
    [isExec('tar'), () => ok()],
    ...plumbing({ [`${REMOTE}/mirror.tar.gz`]: tgz }),
  ]);
  const r = await backupModule({ target: { runtime: new DockerRuntime(run), kind: 'docker', container: 'minio' }, module: 'minio', cls: 'D', dir, paths: [data], pathsOnHost: true, env: { MINIO_MC_ALIAS: 'minio/backups' } });
  assert.equal(r.manifest.method, 'mc mirror minio/backups');
  assert.deepEqual(r.manifest.source.detail, { objects: '3', bytes: '1056612' });
  assert.ok(r.manifest.files[0]!.entries!.some((e) => e.path === 'mirror/identity/arne.json'));
  assert.deepEqual(execOf(calls.find((c) => c.args.includes('mirror'))!.args), ['mc', 'mirror', '--json', 'minio/backups', `${REMOTE}/mirror`]);
});

test('class D: mc failing (exit 1, error JSON) or no alias falls back to the mount archive with a note', async (t) => {
  {
    const { data, dir } = workdir(t);
    const { run } = fakeDocker([[isExec('mc', 'mirror'), () => ({ exitCode: 1, stdout: fixture('mc-mirror-error.txt'), stderr: '' })], ...plumbing({})]);
    const r = await backupModule({ target: { runtime: new DockerRuntime(run), kind: 'docker', container: 'minio' }, module: 'minio', cls: 'D', dir, paths: [data], pathsOnHost: true, env: { MINIO_MC_ALIAS: 'minio/backups' } });
    assert.equal(r.manifest.method, 'archive (fallback)');
    assert.match(r.manifest.notes[0]!, /mc mirror failed \(exit 1: Failed to perform mirroring: The specified bucket does not exist\): mounted data archive instead/);
  }
  {
    const { data, dir } = workdir(t);
    const r = await backupModule({ target: { runtime: new DockerRuntime(fakeDocker([]).run), kind: 'docker', container: 'minio' }, module: 'minio', cls: 'D', dir, paths: [data], pathsOnHost: true, env: {} });
    assert.deepEqual(r.manifest.notes, ['no MINIO_MC_ALIAS: mounted data archive instead of mc mirror']);
  }
});

test('class F (searxng): archive fallback with a note until the engine dump is proven', async (t) => {
  const { data, dir } = workdir(t);
  const r = await backupModule({ target: { runtime: new HostRuntime(), kind: 'host', container: 'host' }, module: 'searxng', cls: 'F', dir, paths: [data] });
  assert.equal(r.manifest.method, 'archive (fallback)');
  assert.match(r.manifest.notes[0]!, /engine dump not proven yet/);
  assert.equal((await verifyBackup(r.manifestPath)).ok, true);
});

test('class B behind AUTH (redis-cli 7 answers NOAUTH with exit 0): BGSAVE skipped with a note, data dir archived', async (t) => {
  const { data, dir } = workdir(t);
  const noauth = fixture('redis-cli-noauth.txt');
  const redisArgs: string[][] = [];
  const runtime = Object.assign(Object.create(new HostRuntime()) as HostRuntime, {
    exec: async (name: string, argv: string[], opts?: ExecOptions): Promise<ExecResult> => {
      if (argv[0] !== 'redis-cli') return HostRuntime.prototype.exec.call(new HostRuntime(), name, argv, opts);
      redisArgs.push(argv);
      return argv.includes('--version') ? ok('redis-cli 7.0.15\n') : ok(noauth);
    },
  });
  const r = await backupModule({ target: { runtime, kind: 'host', container: 'host' }, module: 'infisical-redis', cls: 'B', dir, paths: [data], redis: { port: 6390 } });
  assert.equal(r.manifest.method, 'archive (BGSAVE skipped)');
  assert.match(r.manifest.notes[0]!, /AUTH blocks BGSAVE \(set REDISCLI_AUTH to allow it\)/);
  assert.ok(!redisArgs.some((a) => a.includes('BGSAVE')), 'BGSAVE is not sent once LASTSAVE is refused');
});
