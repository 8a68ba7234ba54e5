// Restore drill: back up, restore into a scratch target on this machine (temp postgres cluster, temp
// redis-server, temp dir), compare with the original, and record the result in drills.jsonl next to the
// backups. A drill never touches the original beyond reading it.
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { backupModule, type BackupModuleOptions } from './backup.ts';
import { compareEntries, entriesUnder, sha256File } from './hash.ts';
import { readManifest, verifyBackup } from './manifest.ts';
import { firstDumpDifference, pgFingerprint, pgRestore } from './postgres.ts';
import { compareRedis, redisFingerprint } from './redis.ts';
import { restoreBackup } from './restore.ts';
import { startScratchPostgres, startScratchRedis } from './scratch.ts';
import { isSqliteFile, sqliteFingerprint, sqliteIntegrity, sqliteOnlineBackup } from './sqlite.ts';
import { describe, execIn, execOk, pullVerified, remoteFileSum, type Target } from './target.ts';
import { BackupError } from './contract.ts';
import { HostRuntime } from '../adapters/host.ts';
import type { ArchiveEntry, BackupClass, BackupManifest } from './types.ts';

export const DRILLS_FILE = 'drills.jsonl';

export interface DrillRecord {
  module: string;
  class: BackupClass;
  manifest: string;
  ok: boolean;
  /** What was compared, in words. */
  checks: string[];
  problems: string[];
  started: string;
  durationMs: number;
}

const hostTarget = (): Target => ({ runtime: new HostRuntime(), kind: 'host', container: 'host' });
const members = (paths: string[]) => paths.map((p) => p.replace(/^\/+/, ''));

/**
 * Backs up (or takes `existing`, a manifest made earlier), restores into a scratch target, compares with the
 * original and records the result. A backup that fails, or an archive that fails verification (truncated,
 * tampered), is a failed drill.
 */
export async function runDrill(o: BackupModuleOptions, existing?: string): Promise<DrillRecord> {
  const startedAt = new Date();
  const checks: string[] = [];
  const problems: string[] = [];
  let made: { manifestPath: string; manifest: BackupManifest };
  try {
    if (existing) {
      const manifest = readManifest(existing);
      if (manifest.module !== o.module) throw new BackupError(`${existing} is a backup of ${manifest.module}, not of ${o.module}`, 'bad-input');
      made = { manifestPath: existing, manifest };
    } else made = await backupModule(o);
  } catch (err) {
    // bad input (exit 2) wrote nothing and proves nothing; a backup that failed is a failed drill, recorded
    if (err instanceof BackupError && err.outcome === 'bad-input') throw err;
    const record: DrillRecord = { module: o.module, class: o.cls, manifest: '', ok: false, checks: ['backup'], problems: [`backup failed: ${(err as Error).message}`], started: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
    recordDrill(existing ? dirname(existing) : o.dir, record);
    return record;
  }
  const { manifestPath, manifest } = made;
  const v = await verifyBackup(manifestPath);
  checks.push('backup files: size + sha256 + mode 0600');
  problems.push(...v.problems);
  const scratch = mkdtempSync(join(tmpdir(), 'cutover-drill-'));
  try {
    if (v.ok) await compare(o, manifestPath, manifest, scratch, checks, problems);
  } catch (err) {
    problems.push(`drill failed: ${(err as Error).message}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const record: DrillRecord = {
    module: o.module,
    class: o.cls,
    manifest: basename(manifestPath),
    ok: problems.length === 0,
    checks,
    problems,
    started: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
  recordDrill(dirname(manifestPath), record);
  return record;
}

async function compare(o: BackupModuleOptions, manifestPath: string, m: BackupManifest, scratch: string, checks: string[], problems: string[]): Promise<void> {
  const file = m.files[0]!;
  if (file.kind === 'sql.gz') {
    const pg = await startScratchPostgres();
    try {
      const scratchEp = { host: pg.host, port: pg.port, user: 'postgres' };
      const { errors } = await pgRestore(hostTarget(), scratchEp, join(dirname(manifestPath), file.name));
      problems.push(...errors.map((e) => `psql: ${e}`));
      const original = await pgFingerprint(o.target, o.pg ?? { user: 'postgres' });
      const restored = await pgFingerprint(hostTarget(), scratchEp);
      checks.push(`pg_dumpall of the restored scratch cluster == of the original (${original.length} lines, normalised)`);
      const diff = firstDumpDifference(original, restored);
      if (diff) problems.push(`dumps differ at ${diff}`);
    } finally {
      await pg.stop();
    }
    return;
  }
  if (file.kind === 'snapshot') {
    problems.push('a vault raft snapshot cannot be drilled here (no scratch vault on this machine)');
    return;
  }
  const restoreDir = join(scratch, 'restore');
  await restoreBackup({ manifestPath, toDir: restoreDir });
  const paths = m.source.paths;
  const restoredEntries = await entriesUnder(restoreDir, members(paths));
  checks.push(`restored file list + sha256 == archive manifest (${(file.entries ?? []).length} entries)`);
  problems.push(...compareEntries(file.entries ?? [], restoredEntries));
  const local = o.pathsOnHost ?? o.target.kind === 'host';
  if (m.class === 'B') return compareRedisDrill(o, m, restoreDir, restoredEntries, checks, problems);
  if (m.class === 'S') {
    for (const p of paths) {
      const restored = join(restoreDir, p);
      if (!existsSync(restored)) continue;
      if (isSqliteFile(restored)) {
        const integrity = sqliteIntegrity(restored);
        if (integrity.length) problems.push(`${p}: integrity_check: ${integrity.slice(0, 3).join('; ')}`);
        const original = local ? p : await freshSqliteCopy(o.target, p, scratch);
        checks.push(`${p}: sqlite tables, row counts and row hashes == original${local ? '' : ` (a fresh online-backup copy from ${describe(o.target)})`}`);
        if (JSON.stringify(sqliteFingerprint(original)) !== JSON.stringify(sqliteFingerprint(restored))) problems.push(`${p}: restored database differs from the original`);
      } else {
        const want = local ? await sha256File(p) : (await remoteFileSum(o.target, p)).sha256;
        const got = await sha256File(restored);
        checks.push(`${p}: sha256 == original${local ? '' : ` (computed in ${describe(o.target)})`}`);
        if (want !== got) problems.push(`${p}: restored file differs from the original: original sha256 ${want}, restored ${got}`);
      }
    }
    return;
  }
  if (local) {
    checks.push('restored file list + sha256 == live source');
    problems.push(...compareEntries(await entriesUnder('/', members(paths)), restoredEntries).map((p) => `live vs restored: ${p}`));
    return;
  }
  const live = await remoteTreeSums(o.target, paths);
  checks.push(`restored files' sha256 == live source (${live.size} files, computed in ${describe(o.target)})`);
  const restoredFiles = new Map(restoredEntries.filter((e) => e.type === 'file').map((e) => [`/${e.path}`, e.sha256]));
  for (const [path, sha] of live) {
    if (!restoredFiles.has(path)) problems.push(`live vs restored: missing: ${path}`);
    else if (restoredFiles.get(path) !== sha) problems.push(`live vs restored: ${path}: original sha256 ${sha}, restored ${restoredFiles.get(path)}`);
    restoredFiles.delete(path);
  }
  for (const extra of restoredFiles.keys()) problems.push(`live vs restored: not in the live source: ${extra}`);
}

/** A consistent copy of a SQLite file inside the target: pulled (with -wal) and passed through the online backup API. */
async function freshSqliteCopy(t: Target, path: string, scratch: string): Promise<string> {
  const dir = mkdtempSync(join(scratch, 'original-'));
  const raw = join(dir, 'raw.db');
  await pullVerified(t, path, raw, { live: () => isSqliteFile(raw) });
  for (const suffix of ['-wal', '-shm']) if ((await execIn(t, ['test', '-e', path + suffix])).exitCode === 0) await t.runtime.pullFile(t.container, path + suffix, raw + suffix);
  await sqliteOnlineBackup(raw, join(dir, 'copy.db'));
  return join(dir, 'copy.db');
}

/** Regular files under paths inside the target → sha256 (find + sha256sum, busybox has both). */
async function remoteTreeSums(t: Target, paths: string[]): Promise<Map<string, string>> {
  const out = await execOk(t, ['sh', '-c', 'find "$@" -type f -exec sha256sum {} +', 'sh', ...paths]);
  const sums = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

async function compareRedisDrill(o: BackupModuleOptions, m: BackupManifest, restoreDir: string, restoredEntries: ArchiveEntry[], checks: string[], problems: string[]): Promise<void> {
  const detail = m.source.detail;
  if (!detail?.dir || !detail.dbfilename) {
    problems.push('the manifest does not say where the RDB file is (CONFIG GET dir failed at backup time): key comparison skipped');
    return;
  }
  // the archive holds the data dir under the path it was read from: CONFIG GET dir inside the instance, or
  // the mount's source on this machine (docker volumes) — then the one restored file of that name
  let dataDir = join(restoreDir, detail.dir);
  if (!existsSync(join(dataDir, detail.dbfilename))) {
    const found = restoredEntries.filter((e) => e.type === 'file' && basename(e.path) === detail.dbfilename);
    if (found.length !== 1) {
      problems.push(found.length ? `restored data has ${found.length} files named ${detail.dbfilename}: ${found.map((e) => e.path).join(', ')}` : `restored data dir has no ${detail.dbfilename}`);
      return;
    }
    dataDir = join(restoreDir, dirname(found[0]!.path));
  }
  const scratch = await startScratchRedis({ dir: dataDir, dbfilename: detail.dbfilename });
  try {
    const original = await redisFingerprint(o.target, o.redis ?? {});
    const restored = await redisFingerprint(hostTarget(), { host: scratch.host, port: scratch.port }, Object.keys(original.samples));
    checks.push(`redis key count (${original.dbsize}) and DUMP of ${Object.keys(original.samples).length} sample keys == original`);
    problems.push(...compareRedis(original, restored));
  } finally {
    await scratch.stop();
  }
}

export function recordDrill(dir: string, record: DrillRecord): void {
  const path = join(dir, DRILLS_FILE);
  appendFileSync(path, JSON.stringify(record) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readDrills(dir: string): DrillRecord[] {
  const path = join(dir, DRILLS_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as DrillRecord];
      } catch {
        return [];
      }
    });
}
