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

export interface FileFactsWithHash extends FileFacts {
  sha256: string;
}

/**
 * Size, mode, owner and sha256 of several files in two execs, whatever their number (each exec is a round
 * trip to the runtime, and these sit inside the outage window). Missing files are simply absent from the map.
 */
export async function fileFacts(ctx: ActionContext, container: string, paths: string[]): Promise<Map<string, FileFactsWithHash>> {
  const st = await ctx.runtime.exec(container, ['stat', '-c', '%s %a %u %g %n', ...paths]);
  const facts = new Map<string, FileFacts>();
  for (const line of st.stdout.split('\n')) {
    const m = /^(\d+) ([0-7]+) (\d+) (\d+) (.+)$/.exec(line);
    if (m && paths.includes(m[5]!)) facts.set(m[5]!, { size: Number(m[1]), mode: m[2]!.padStart(4, '0'), uid: Number(m[3]), gid: Number(m[4]) });
  }
  const out = new Map<string, FileFactsWithHash>();
  const present = paths.filter((p) => facts.has(p));
  if (!present.length) return out;
  const sums = await ctx.runtime.exec(container, ['sha256sum', ...present]);
  for (const line of sums.stdout.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    const f = m && facts.get(m[2]!);
    if (f) out.set(m[2]!, { ...f, sha256: m[1]! });
  }
  const unhashed = present.filter((p) => !out.has(p));
  if (unhashed.length) throw new ActionError(`${container}: sha256sum gave no hash for ${unhashed.join(', ')}${sums.stderr.trim() ? `: ${sums.stderr.trim()}` : ''}`);
  return out;
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
