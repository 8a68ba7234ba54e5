/**
 * Backup-before-apply: one backup of one module, any class, any runtime.
 *
 * API for callers (the runbook's `backup` step, commands):
 *   backupFiles({ runtime, container, paths, dir, module, class?, onProgress? }) → { manifestPath, manifest }
 *     Pulls each path through Runtime.pullFile into a private 0700 staging dir (SQLite files with their
 *     -wal/-shm, then copied with the online backup API and integrity-checked), archives them into
 *     `<dir>/<module>-<YYYYMMDD-HHMMSS>.tar.gz` (0600) and writes `<same stem>.manifest.json` (0600).
 *   backupModule(options) → { manifestPath, manifest }: classes A–G and S (see BackupModuleOptions).
 *   verifyBackup(manifestPath) → { ok, problems } (from ./manifest.ts): size + sha256 + mode of every file.
 * Both refuse a group/world-accessible dir, check free space first, and never run unless called.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, chmodSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { createArchive, gzipFileTo, listArchive } from './archive.ts';
import { BackupError, backupStem, checkFreeSpace, ensurePrivateDir, type StatfsPort } from './contract.ts';
import { parseMcMirrorJson } from './minio.ts';
import { vaultSnapshotFailure } from './vault.ts';
import { sha256File, treeSize } from './hash.ts';
import { writeManifest } from './manifest.ts';
import { pgConnArgs, pgDumpallTo, type PgEndpoint } from './postgres.ts';
import { redisBgsave, redisDataLocation, type RedisEndpoint } from './redis.ts';
import { isSqliteFile, sqliteOnlineBackup } from './sqlite.ts';
import { describe, execIn, execOk, pullVerified, remoteTempDir, removeRemoteDir, toolVersion, type Target } from './target.ts';
import type { BackupClass, BackupFileRecord, BackupManifest, ProgressFn, RuntimeKind } from './types.ts';
import type { Runtime } from '../ports.ts';
import { HostRuntime } from '../adapters/host.ts';

export interface BackupModuleOptions {
  target: Target;
  module: string;
  cls: BackupClass;
  /** Backup directory (created 0700; refused when group/others can reach it). */
  dir: string;
  /** Data paths: mounts, data dir, files. Class A needs none; B finds its dir through CONFIG GET dir. */
  paths: string[];
  /** True when `paths` are readable on this machine (host runtime, docker mount sources). */
  pathsOnHost?: boolean;
  pg?: PgEndpoint;
  redis?: RedisEndpoint;
  /** VAULT_TOKEN (class C), MINIO_MC_ALIAS (class D). */
  env?: Record<string, string>;
  onProgress?: ProgressFn;
  now?: () => Date;
  /** statfs(2) for the free-space check (tests simulate a small filesystem). */
  statfs?: StatfsPort;
}

export interface BackupResult {
  manifestPath: string;
  manifest: BackupManifest;
}

interface Produced {
  method: string;
  files: BackupFileRecord[];
  notes: string[];
  tools: Record<string, string>;
  detail?: Record<string, string>;
  paths?: string[];
}

export async function backupModule(o: BackupModuleOptions): Promise<BackupResult> {
  const started = Date.now();
  const at = (o.now ?? (() => new Date()))();
  ensurePrivateDir(o.dir);
  const stem = backupStem(o.module, at);
  const estimate = await estimateBytes(o);
  checkFreeSpace(o.dir, estimate, o.statfs);
  const staging = mkdtempSync(join(o.dir, '.staging-'));
  try {
    const produced = await produce(o, stem, staging, estimate);
    const manifest: BackupManifest = {
      format: 'cutover-backup/1',
      module: o.module,
      class: o.cls,
      method: produced.method,
      runtime: o.target.kind,
      container: o.target.container,
      source: {
        paths: produced.paths ?? o.paths,
        ...(o.pg && o.cls === 'A' ? { endpoint: pgConnArgs(o.pg).join(' ') } : {}),
        ...(o.redis && o.cls === 'B' ? { endpoint: `${o.redis.host ?? 'default'}:${o.redis.port ?? 6379}` } : {}),
        ...(produced.detail ? { detail: produced.detail } : {}),
      },
      files: produced.files,
      tools: { cutover: 'backup/1', host: hostname(), ...produced.tools },
      notes: produced.notes,
      created: at.toISOString(),
      durationMs: Date.now() - started,
    };
    return { manifestPath: writeManifest(o.dir, stem, manifest), manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function produce(o: BackupModuleOptions, stem: string, staging: string, estimate: number): Promise<Produced> {
  const t = o.target;
  switch (o.cls) {
    case 'A': {
      const pg = o.pg ?? { user: 'postgres' };
      await pgDumpallTo(t, pg, join(staging, 'dumpall.sql'));
      const name = `${stem}.sql.gz`;
      const r = await gzipFileTo(join(staging, 'dumpall.sql'), join(o.dir, name));
      return { method: 'pg_dumpall', files: [{ name, kind: 'sql.gz', ...r }], notes: [], tools: { pg_dumpall: await toolVersion(t, ['pg_dumpall', '--version']) } };
    }
    case 'B': {
      const ep = o.redis ?? {};
      const save = await redisBgsave(t, ep);
      const loc = await redisDataLocation(t, ep);
      const paths = o.paths.length ? o.paths : loc ? [loc.dir] : [];
      if (!paths.length) throw new BackupError(`${o.module}: cannot find the redis data dir (CONFIG GET dir failed): pass --path DIR`);
      const arch = await archivePaths(o, stem, staging, paths, estimate);
      return {
        method: save.saved ? 'bgsave+archive' : 'archive (BGSAVE skipped)',
        files: [arch],
        notes: save.note ? [save.note] : [],
        tools: { 'redis-cli': await toolVersion(t, ['redis-cli', '--version']), tar: await tarVersion() },
        detail: loc ? { dir: loc.dir, dbfilename: loc.dbfilename } : undefined,
        paths,
      };
    }
    case 'C': {
      const token = o.env?.VAULT_TOKEN;
      if (token) {
        try {
          return await vaultSnapshot(o, stem, staging, token);
        } catch (err) {
          return fallbackArchive(o, stem, staging, estimate, `vault raft snapshot failed (${(err as Error).message}): mounted data archive instead`);
        }
      }
      return fallbackArchive(o, stem, staging, estimate, 'no VAULT_TOKEN: mounted data archive instead of a raft snapshot');
    }
    case 'D': {
      const alias = o.env?.MINIO_MC_ALIAS;
      if (alias) {
        try {
          return await minioMirror(o, stem, staging, alias);
        } catch (err) {
          return fallbackArchive(o, stem, staging, estimate, `mc mirror failed (${(err as Error).message}): mounted data archive instead`);
        }
      }
      return fallbackArchive(o, stem, staging, estimate, 'no MINIO_MC_ALIAS: mounted data archive instead of mc mirror');
    }
    case 'F':
      return fallbackArchive(o, stem, staging, estimate, 'engine dump not proven yet (seed 003): mounted data archive');
    case 'G':
      return fallbackArchive(o, stem, staging, estimate, 'separate root (outside the canonical compose path): archive of the given root');
    case 'E':
      return fallbackArchive(o, stem, staging, estimate);
    case 'S':
      return sqliteAndFiles(o, stem, staging);
  }
}

async function fallbackArchive(o: BackupModuleOptions, stem: string, staging: string, estimate: number, note?: string): Promise<Produced> {
  const arch = await archivePaths(o, stem, staging, o.paths, estimate);
  return { method: note ? 'archive (fallback)' : 'archive', files: [arch], notes: note ? [note] : [], tools: { tar: await tarVersion() } };
}

function requirePaths(o: BackupModuleOptions, paths: string[]): void {
  if (!paths.length) throw new BackupError(`${o.module}: class ${o.cls} archives data paths, and none are known: pass --path DIR (or use a runtime that reports mounts)`, 'bad-input');
  for (const p of paths) if (!p.startsWith('/')) throw new BackupError(`${o.module}: path "${p}" must be absolute`, 'bad-input');
}

const members = (paths: string[]) => paths.map((p) => p.replace(/^\/+/, '') || '.');

/** tar.gz of absolute paths: streamed locally when they are on this machine, else tarred in the target and pulled. */
async function archivePaths(o: BackupModuleOptions, stem: string, staging: string, paths: string[], estimate: number): Promise<BackupFileRecord> {
  requirePaths(o, paths);
  const name = `${stem}.tar.gz`;
  const out = join(o.dir, name);
  if (o.pathsOnHost ?? o.target.kind === 'host') {
    for (const p of paths) if (!existsSync(p)) throw new BackupError(`${o.module}: ${p} does not exist`, 'bad-input');
    const r = await createArchive({ cwd: '/', members: members(paths), outPath: out, onProgress: o.onProgress, totalBytes: estimate, phase: `${o.module} archive` });
    return { name, kind: 'tar.gz', size: r.size, sha256: r.sha256, entries: r.entries };
  }
  const remote = await remoteTempDir(o.target);
  try {
    await execOk(o.target, ['tar', '--create', '--gzip', '--file', `${remote}/data.tar.gz`, '--directory', '/', '--numeric-owner', '--', ...members(paths)]);
    const local = join(staging, name);
    await pullVerified(o.target, `${remote}/data.tar.gz`, local);
    return await adopt(local, out, name, 'tar.gz');
  } finally {
    await removeRemoteDir(o.target, remote);
  }
}

/** Moves a finished staging file into the backup dir (0600) and records it. */
async function adopt(local: string, out: string, name: string, kind: BackupFileRecord['kind']): Promise<BackupFileRecord> {
  chmodSync(local, 0o600);
  const rec: BackupFileRecord = { name, kind, size: statSync(local).size, sha256: await sha256File(local) };
  if (kind === 'tar.gz') rec.entries = await listArchive(local);
  renameSync(local, out);
  return rec;
}

async function vaultSnapshot(o: BackupModuleOptions, stem: string, staging: string, token: string): Promise<Produced> {
  const remote = await remoteTempDir(o.target);
  try {
    const r = await execIn(o.target, ['vault', 'operator', 'raft', 'snapshot', 'save', `${remote}/vault.snap`], { env: { VAULT_TOKEN: token } });
    if (r.exitCode !== 0) throw new BackupError(vaultSnapshotFailure(r.exitCode, r.stderr || r.stdout));
    const name = `${stem}.snap`;
    await pullVerified(o.target, `${remote}/vault.snap`, join(staging, name));
    const rec = await adopt(join(staging, name), join(o.dir, name), name, 'snapshot');
    return { method: 'vault raft snapshot', files: [rec], notes: [], tools: { vault: await toolVersion(o.target, ['vault', 'version']) } };
  } finally {
    await removeRemoteDir(o.target, remote);
  }
}

async function minioMirror(o: BackupModuleOptions, stem: string, staging: string, alias: string): Promise<Produced> {
  const remote = await remoteTempDir(o.target);
  try {
    const r = await execIn(o.target, ['mc', 'mirror', '--json', alias, `${remote}/mirror`]);
    const summary = parseMcMirrorJson(r.stdout);
    if (r.exitCode !== 0 || summary.errors.length) {
      throw new BackupError(`exit ${r.exitCode}: ${summary.errors[0] ?? ((r.stderr || r.stdout).trim().split('\n').at(-1) || 'no message')}`);
    }
    await execOk(o.target, ['tar', '--create', '--gzip', '--file', `${remote}/mirror.tar.gz`, '--directory', remote, 'mirror']);
    const name = `${stem}.tar.gz`;
    await pullVerified(o.target, `${remote}/mirror.tar.gz`, join(staging, name));
    const rec = await adopt(join(staging, name), join(o.dir, name), name, 'tar.gz');
    return {
      method: `mc mirror ${alias}`,
      files: [rec],
      notes: [],
      tools: { mc: await toolVersion(o.target, ['mc', '--version']) },
      detail: { objects: String(summary.objects), bytes: String(summary.bytes) },
    };
  } finally {
    await removeRemoteDir(o.target, remote);
  }
}

/** Class S: pull every path; SQLite files (with -wal/-shm) go through the online backup API; then one tar.gz. */
async function sqliteAndFiles(o: BackupModuleOptions, stem: string, staging: string): Promise<Produced> {
  requirePaths(o, o.paths);
  const t = o.target;
  const root = join(staging, 'root');
  const pulled = join(staging, 'pulled');
  mkdirSync(pulled, { mode: 0o700 });
  const notes: string[] = [];
  let n = 0;
  for (const path of o.paths) {
    const dest = join(root, path);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    const raw = join(pulled, `${n++}`);
    mkdirSync(raw, { mode: 0o700 });
    const copy = join(raw, 'file');
    try {
      const r = await pullVerified(t, path, copy, { live: () => isSqliteFile(copy) });
      if (r.note) notes.push(r.note);
    } catch (err) {
      if (err instanceof BackupError) throw new BackupError(`${o.module}: ${err.message}`);
      throw new BackupError(`${o.module}: cannot pull ${path} from ${describe(t)}: ${(err as Error).message}`);
    }
    if (!isSqliteFile(copy)) {
      renameSync(copy, dest);
      chmodSync(dest, 0o600);
      continue;
    }
    for (const suffix of ['-wal', '-shm']) {
      const exists = await execIn(t, ['test', '-e', path + suffix]);
      if (exists.exitCode === 0) {
        // -wal/-shm change with every write: the online backup below is the consistency check
        await t.runtime.pullFile(t.container, path + suffix, copy + suffix);
        chmodSync(copy + suffix, 0o600);
        if (suffix === '-wal') notes.push(`${path}: copied with its -wal; consistent when the writer was stopped first`);
      }
    }
    await sqliteOnlineBackup(copy, dest);
    o.onProgress?.({ phase: `${o.module} sqlite`, bytes: statSync(dest).size });
  }
  const name = `${stem}.tar.gz`;
  const r = await createArchive({ cwd: root, members: members(o.paths), outPath: join(o.dir, name), onProgress: o.onProgress, phase: `${o.module} archive` });
  return {
    method: 'sqlite online backup + files',
    files: [{ name, kind: 'tar.gz', size: r.size, sha256: r.sha256, entries: r.entries }],
    notes,
    tools: { sqlite: 'better-sqlite3 online backup', tar: await tarVersion() },
  };
}

let tarVersionCache: Promise<string> | undefined;
function tarVersion(): Promise<string> {
  tarVersionCache ??= toolVersion({ runtime: new HostRuntime(), kind: 'host', container: 'host' }, ['tar', '--version']);
  return tarVersionCache;
}

async function estimateBytes(o: BackupModuleOptions): Promise<number> {
  if (o.cls === 'A') {
    const pg = o.pg ?? { user: 'postgres' };
    const r = await execIn(o.target, ['psql', '-X', '-tA', ...pgConnArgs(pg), '-d', 'postgres', '-c', 'SELECT sum(pg_database_size(datname)) FROM pg_database']);
    return r.exitCode === 0 ? Number(r.stdout.trim()) || 0 : 0;
  }
  if (!o.paths.length) return 0;
  if (o.pathsOnHost ?? o.target.kind === 'host') return treeSize(o.paths);
  const r = await execIn(o.target, ['du', '-sb', '--', ...o.paths]);
  return r.exitCode === 0 ? r.stdout.split('\n').reduce((n, l) => n + (Number(l.split(/\s/)[0]) || 0), 0) : 0;
}

/** The runbook step's entry point: files (SQLite-aware) from one instance into a class S (or given class) backup. */
export async function backupFiles(opts: {
  runtime: Runtime;
  container: string;
  paths: string[];
  dir: string;
  module: string;
  class?: BackupClass;
  runtimeKind?: RuntimeKind;
  onProgress?: ProgressFn;
}): Promise<BackupResult> {
  const kind = opts.runtimeKind ?? 'incus';
  return backupModule({
    target: { runtime: opts.runtime, kind, container: opts.container },
    module: opts.module,
    cls: opts.class ?? 'S',
    dir: opts.dir,
    paths: opts.paths,
    pathsOnHost: kind === 'host',
    onProgress: opts.onProgress,
  });
}

export { verifyBackup } from './manifest.ts';
