// Restore a verified backup: a pg_dumpall into a postgres instance, a tar.gz into a directory (empty unless
// forced), a vault snapshot into a vault. Always verifies sha256 first; never runs unless called.
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { extractArchive } from './archive.ts';
import { BackupError } from './contract.ts';
import { verifyBackup } from './manifest.ts';
import { pgRestore, type PgEndpoint } from './postgres.ts';
import { execOk, remoteTempDir, removeRemoteDir, type Target } from './target.ts';
import type { BackupManifest } from './types.ts';

export interface RestoreOptions {
  manifestPath: string;
  /** Directory for archives. */
  toDir?: string;
  /** Instance for pg_dumpall (class A) and vault snapshots (class C). */
  target?: Target;
  pg?: PgEndpoint;
  /** Allow extracting into a non-empty directory. */
  force?: boolean;
  env?: Record<string, string>;
}

export interface RestoreResult {
  manifest: BackupManifest;
  restoredTo: string;
  errors: string[];
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const v = await verifyBackup(o.manifestPath);
  if (!v.ok) throw new BackupError(`${o.manifestPath} fails verification, refusing to restore:\n  ${v.problems.join('\n  ')}`);
  const m = v.manifest;
  const file = m.files[0];
  if (!file) throw new BackupError(`${o.manifestPath}: names no files`);
  const path = join(dirname(o.manifestPath), basename(file.name));
  if (file.kind === 'sql.gz') {
    if (!o.target) throw new BackupError(`${m.module}: a pg_dumpall restore needs a target postgres (--to CONTAINER, or --to host with --pg-host/--pg-port)`);
    const { errors } = await pgRestore(o.target, o.pg ?? { user: 'postgres' }, path);
    return { manifest: m, restoredTo: o.target.kind === 'host' ? 'host postgres' : `${o.target.kind}:${o.target.container}`, errors };
  }
  if (file.kind === 'snapshot') {
    if (!o.target) throw new BackupError(`${m.module}: a vault snapshot restore needs the vault instance (--to CONTAINER) and VAULT_TOKEN`);
    const token = o.env?.VAULT_TOKEN;
    if (!token) throw new BackupError(`${m.module}: VAULT_TOKEN is not set; vault operator raft snapshot restore needs it`);
    const remote = await remoteTempDir(o.target);
    try {
      await o.target.runtime.pushFile(o.target.container, path, `${remote}/vault.snap`, { mode: 0o600 });
      await execOk(o.target, ['vault', 'operator', 'raft', 'snapshot', 'restore', `${remote}/vault.snap`], { env: { VAULT_TOKEN: token } });
    } finally {
      await removeRemoteDir(o.target, remote);
    }
    return { manifest: m, restoredTo: `${o.target.kind}:${o.target.container}`, errors: [] };
  }
  if (!o.toDir) throw new BackupError(`${m.module}: an archive restore needs --to DIR (it never writes over the live paths by itself)`);
  prepareRestoreDir(o.toDir, o.force ?? false);
  await extractArchive(path, o.toDir);
  return { manifest: m, restoredTo: o.toDir, errors: [] };
}

/** Creates dir 0700 when missing; refuses a non-empty one unless forced. */
export function prepareRestoreDir(dir: string, force: boolean): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    return;
  }
  if (!statSync(dir).isDirectory()) throw new BackupError(`restore target ${dir} is not a directory`);
  const present = readdirSync(dir);
  if (present.length && !force) {
    throw new BackupError(`restore target ${dir} is not empty (${present.length} entries, e.g. ${present.slice(0, 3).join(', ')}): choose an empty dir, or pass --force to extract over it`);
  }
}
