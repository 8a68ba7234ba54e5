// Manifests on disk: `<module>-<YYYYMMDD-HHMMSS>.manifest.json` next to the backup files. Reading, listing
// and verifying (size, sha256 and mode of every file) live here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BackupError, writeFilePrivateAtomic } from './contract.ts';
import { sha256File } from './hash.ts';
import { BACKUP_CLASSES, type BackupManifest } from './types.ts';

export const MANIFEST_SUFFIX = '.manifest.json';

export function writeManifest(dir: string, stem: string, manifest: BackupManifest): string {
  const path = join(dir, `${stem}${MANIFEST_SUFFIX}`);
  writeFilePrivateAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

/** The manifest for BACKUP: itself, or `<stem>.manifest.json` next to a backup file (.tar.gz, .sql.gz, .snap). */
export function manifestPathFor(path: string): string {
  if (path.endsWith(MANIFEST_SUFFIX)) return path;
  const stem = path.replace(/\.(tar\.gz|sql\.gz|snap|dump)$/, '');
  if (stem === path) throw new BackupError(`${path}: not a backup (expected a ${MANIFEST_SUFFIX}, .tar.gz, .sql.gz or .snap file)`, 'bad-input');
  return stem + MANIFEST_SUFFIX;
}

export function readManifest(path: string): BackupManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new BackupError(e.code === 'ENOENT' ? `${path}: no such manifest` : `${path}: not a readable JSON manifest (${e.message})`);
  }
  const m = doc as Partial<BackupManifest>;
  if (m?.format !== 'cutover-backup/1' || !m.module || !BACKUP_CLASSES.includes(m.class as never) || !Array.isArray(m.files)) {
    throw new BackupError(`${path}: not a cutover backup manifest (format cutover-backup/1 with module, class, files)`);
  }
  return m as BackupManifest;
}

/** Every manifest in dir, oldest first. Unreadable ones are skipped. */
export function listManifests(dir: string): { path: string; manifest: BackupManifest }[] {
  if (!existsSync(dir)) return [];
  const out: { path: string; manifest: BackupManifest }[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(MANIFEST_SUFFIX) || name.startsWith('.')) continue;
    try {
      out.push({ path: join(dir, name), manifest: readManifest(join(dir, name)) });
    } catch {
      // a foreign or damaged file does not hide the others
    }
  }
  return out.sort((a, b) => a.manifest.created.localeCompare(b.manifest.created));
}

export function manifestBytes(m: BackupManifest): number {
  return m.files.reduce((n, f) => n + f.size, 0);
}

/**
 * Checks every file a manifest names: present, mode 0600, size and sha256 as recorded.
 * `{ ok: true, problems: [] }` when the backup is intact.
 */
export async function verifyBackup(manifestPath: string): Promise<{ ok: boolean; problems: string[]; manifest: BackupManifest }> {
  const manifest = readManifest(manifestPath);
  const dir = dirname(manifestPath);
  const problems: string[] = [];
  const manifestMode = statSync(manifestPath).mode & 0o777;
  if (manifestMode !== 0o600) problems.push(`${basename(manifestPath)}: mode ${manifestMode.toString(8)}, expected 600`);
  for (const f of manifest.files) {
    const path = join(dir, basename(f.name));
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) {
      problems.push(`${f.name}: missing`);
      continue;
    }
    const mode = st.mode & 0o777;
    if (mode !== 0o600) problems.push(`${f.name}: mode ${mode.toString(8)}, expected 600`);
    if (st.size !== f.size) problems.push(`${f.name}: size ${st.size}, manifest says ${f.size}`);
    const sha = await sha256File(path);
    if (sha !== f.sha256) problems.push(`${f.name}: sha256 mismatch (corrupted or replaced): file has ${sha}, manifest records ${f.sha256}`);
  }
  return { ok: problems.length === 0, problems, manifest };
}
