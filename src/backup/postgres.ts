// Class A: pg_dumpall inside the target (into a private temp dir there), pulled out and gzipped; restore
// with psql; a normalised dump is the drill's fingerprint.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipFileTo } from './archive.ts';
import { execIn, execOk, pullVerified, remoteTempDir, removeRemoteDir, type Target } from './target.ts';

export interface PgEndpoint {
  /** Host or unix socket dir; omitted: the target's default socket. */
  host?: string;
  port?: number;
  user: string;
}

export function pgConnArgs(ep: PgEndpoint): string[] {
  return ['-U', ep.user, ...(ep.host ? ['-h', ep.host] : []), ...(ep.port ? ['-p', String(ep.port)] : [])];
}

/** pg_dumpall in the target → localFile (plain SQL). */
export async function pgDumpallTo(t: Target, ep: PgEndpoint, localFile: string): Promise<void> {
  const remote = await remoteTempDir(t);
  try {
    await execOk(t, ['pg_dumpall', ...pgConnArgs(ep), '--file', `${remote}/dumpall.sql`]);
    await pullVerified(t, `${remote}/dumpall.sql`, localFile);
  } finally {
    await removeRemoteDir(t, remote);
  }
}

/** psql -f of a gzipped pg_dumpall into the target. Returns the errors psql printed other than "already exists". */
export async function pgRestore(t: Target, ep: PgEndpoint, sqlGz: string): Promise<{ errors: string[] }> {
  const local = mkdtempSync(join(tmpdir(), 'cutover-pgrestore-'));
  const remote = await remoteTempDir(t);
  try {
    await gunzipFileTo(sqlGz, join(local, 'dumpall.sql'));
    await t.runtime.pushFile(t.container, join(local, 'dumpall.sql'), `${remote}/dumpall.sql`, { mode: 0o600 });
    const r = await execIn(t, ['psql', '-X', '-q', ...pgConnArgs(ep), '-d', 'postgres', '-v', 'ON_ERROR_STOP=0', '-f', `${remote}/dumpall.sql`]);
    const errors = r.stderr.split('\n').filter((l) => /ERROR:/.test(l) && !/already exists/.test(l));
    if (r.exitCode !== 0) errors.push(`psql exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    return { errors };
  } finally {
    rmSync(local, { recursive: true, force: true });
    await removeRemoteDir(t, remote);
  }
}

/** The dump without comments, blank lines and the per-run \restrict keys, so equal clusters compare equal. */
export function normaliseDump(sql: string): string[] {
  return sql.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--') && !/^\\(un)?restrict /.test(l));
}

export async function pgFingerprint(t: Target, ep: PgEndpoint): Promise<string[]> {
  const local = mkdtempSync(join(tmpdir(), 'cutover-pgdump-'));
  try {
    await pgDumpallTo(t, ep, join(local, 'dumpall.sql'));
    return normaliseDump(readFileSync(join(local, 'dumpall.sql'), 'utf8'));
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}

/** First difference between two normalised dumps, or null when equal. */
export function firstDumpDifference(a: string[], b: string[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `line ${i + 1}: original ${JSON.stringify(a[i] ?? '<end>')} vs restored ${JSON.stringify(b[i] ?? '<end>')}`;
  return null;
}
