// A backup source or restore destination: a Runtime plus the instance inside it. Helpers run argv in it,
// make a private temp dir there and copy files out, whatever the runtime (host, incus, docker).
import { BackupError } from './contract.ts';
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
