// Small facts about files and services inside a container, asked through Runtime.exec with argv arrays
// (busybox-compatible: Alpine's stat, sha256sum and service all answer these).
import type { ActionContext } from './types.ts';
import { ActionError } from './types.ts';

export interface FileFacts {
  size: number;
  mode: string;
  uid: number;
  gid: number;
}

/** Runs argv in the container, streaming output to the step; throws with stderr when the exit code is unexpected. */
export async function execChecked(ctx: ActionContext, container: string, argv: string[], expectExit = 0) {
  ctx.emit({ kind: 'command', argv: ['incus', 'exec', container, '--', ...argv] });
  const r = await ctx.runtime.exec(container, argv, { onLine: (line, stream) => ctx.emit({ kind: 'output', line, stream }) });
  if (r.exitCode !== expectExit) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new ActionError(`${container}: \`${argv.join(' ')}\` exited ${r.exitCode} (expected ${expectExit})${why ? `: ${why}` : ''}`);
  }
  return r;
}

export async function exists(ctx: ActionContext, container: string, path: string): Promise<boolean> {
  const r = await ctx.runtime.exec(container, ['test', '-e', path]);
  return r.exitCode === 0;
}

export async function statFile(ctx: ActionContext, container: string, path: string): Promise<FileFacts | null> {
  const r = await ctx.runtime.exec(container, ['stat', '-c', '%s %a %u %g', path]);
  if (r.exitCode !== 0) return null;
  const [size, mode, uid, gid] = r.stdout.trim().split(/\s+/);
  return { size: Number(size), mode: (mode ?? '').padStart(4, '0'), uid: Number(uid), gid: Number(gid) };
}

export async function sha256(ctx: ActionContext, container: string, path: string): Promise<string> {
  const r = await execChecked(ctx, container, ['sha256sum', path]);
  const hash = r.stdout.trim().split(/\s+/)[0] ?? '';
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new ActionError(`${container}: sha256sum ${path} gave no hash`);
  return hash;
}

/** OpenRC/sysvinit convention: `service NAME status` exits 0 when running. */
export async function serviceRunning(ctx: ActionContext, container: string, service: string): Promise<boolean> {
  const r = await ctx.runtime.exec(container, ['service', service, 'status']);
  return r.exitCode === 0;
}

export function normaliseMode(mode: string): string {
  return (mode.replace(/^0+/, '') || '0').padStart(4, '0');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
