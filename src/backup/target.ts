// A backup source or restore destination: a Runtime plus the instance inside it. Helpers run argv in it,
// make a private temp dir there and copy files out, whatever the runtime (host, incus, docker).
import { chmodSync, statSync } from 'node:fs';
import { BackupError } from './contract.ts';
import { sha256File } from './hash.ts';
import type { ExecResult, Runtime } from '../ports.ts';
import type { RuntimeKind } from './types.ts';

export interface Target {
  runtime: Runtime;
  kind: RuntimeKind;
  /** Instance / container name ("host" for the host runtime). */
  container: string;
  /** Extra environment for commands run in the target (PGHOST, REDISCLI_AUTH, VAULT_TOKEN …). */
  env?: Record<string, string>;
}

export function describe(t: Target): string {
  return t.kind === 'host' ? 'host' : `${t.kind}:${t.container}`;
}

export async function execIn(t: Target, argv: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ExecResult> {
  const env = t.env || opts.env ? { ...t.env, ...opts.env } : undefined;
  return t.runtime.exec(t.container, argv, { env, timeoutMs: opts.timeoutMs });
}

/** Runs argv in the target; throws with its stderr when it exits non-zero. */
export async function execOk(t: Target, argv: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const r = await execIn(t, argv, opts);
  if (r.exitCode !== 0) {
    const msg = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
    throw new BackupError(`${argv[0]} failed in ${describe(t)} (exit ${r.exitCode}): ${msg || 'no output'}`);
  }
  return r.stdout;
}

/** A 0700 temp dir inside the target; always pair with removeRemoteDir. */
export async function remoteTempDir(t: Target): Promise<string> {
  const out = (await execOk(t, ['mktemp', '-d', '/tmp/cutover-backup.XXXXXX'])).trim();
  if (!out.startsWith('/tmp/cutover-backup.')) throw new BackupError(`mktemp in ${describe(t)} returned "${out}"`);
  return out;
}

export async function removeRemoteDir(t: Target, dir: string): Promise<void> {
  if (dir.startsWith('/tmp/cutover-backup.')) await execIn(t, ['rm', '-rf', '--', dir]);
}

export async function toolVersion(t: Target, argv: string[]): Promise<string> {
  try {
    const r = await execIn(t, argv, { timeoutMs: 10_000 });
    return r.exitCode === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] ?? '' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** sha256 and size of one file where it lives (sha256sum + stat inside the target; busybox has both). */
export async function remoteFileSum(t: Target, path: string): Promise<{ sha256: string; size: number }> {
  const r = await execIn(t, ['sh', '-c', 'stat -c %s "$1" && sha256sum "$1"', 'sh', path]);
  const [size, sum] = r.stdout.trim().split('\n');
  const sha = /^([0-9a-f]{64})\s/.exec(sum ?? '')?.[1];
  if (r.exitCode !== 0 || !sha || !/^\d+$/.test(size ?? '')) {
    throw new BackupError(`cannot compute the sha256 of ${path} in ${describe(t)} (stat + sha256sum, exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ') || 'no output'}`);
  }
  return { sha256: sha, size: Number(size) };
}

/**
 * pullFile, then 0600 at once (a runtime's copy keeps the source's mode; the staging dir is 0700 meanwhile),
 * then the copy's sha256 compared with the source's, computed where the source lives (inside the instance).
 * A copy that differs while the source stayed the same is refused, naming both sums (a truncating or
 * corrupting copy). A source that changed during the copy is copied again (3 attempts); when `live()` says
 * the last copy may still be used (a SQLite file with a writer: the online backup API re-reads it and
 * integrity-checks the result) it is accepted with a note, else refused.
 */
export async function pullVerified(t: Target, remote: string, local: string, opts: { live?: () => boolean } = {}): Promise<{ sha256: string; note?: string }> {
  for (let attempt = 1; ; attempt++) {
    const before = await remoteFileSum(t, remote);
    await t.runtime.pullFile(t.container, remote, local);
    chmodSync(local, 0o600);
    const got = { sha256: await sha256File(local), size: statSync(local).size };
    if (got.sha256 === before.sha256) return { sha256: got.sha256 };
    const after = await remoteFileSum(t, remote);
    if (after.sha256 === before.sha256) {
      throw new BackupError(
        `${remote}: the copy from ${describe(t)} differs from the source, refusing to archive it: source sha256 ${before.sha256} (${before.size} bytes), copy sha256 ${got.sha256} (${got.size} bytes)`,
      );
    }
    if (attempt >= 3) {
      if (opts.live?.()) return { sha256: got.sha256, note: `${remote} changed during each of 3 copies (a live writer): the last copy was taken through the online backup API and integrity-checked` };
      throw new BackupError(`${remote} changed during each of 3 copies from ${describe(t)} (sha256 ${before.sha256} before, ${after.sha256} after the last): stop its writer and back up again`);
    }
  }
}
