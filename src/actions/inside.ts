// Small facts about files and services inside a container, asked through Runtime.exec with argv arrays
// (busybox-compatible: Alpine's stat, sha256sum and service all answer these).
import { connect } from 'node:net';
import type { ActionContext, ActionResult } from './types.ts';
import { ActionError } from './types.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export interface FileFacts {
  size: number;
  mode: string;
  uid: number;
  gid: number;
}

/** The last lines of a command's output, on one line, for an error message ('' when there is none). */
export function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}

/** Runs argv in the container, streaming output to the step; throws with stderr when the exit code is unexpected. */
export async function execChecked(ctx: ActionContext, container: string, argv: string[], expectExit = 0) {
  const r = await ctx.runtime.exec(container, argv, { onLine: (line, stream) => ctx.emit({ kind: 'output', line, stream }) });
  if (r.exitCode !== expectExit) {
    const why = lastLines(r.stderr || r.stdout);
    throw new ActionError(`${instanceRef(ctx.runbook, container)}: \`${argv.join(' ')}\` exited ${r.exitCode} (expected ${expectExit})${why ? `: ${why}` : ''}`);
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

// stat's lines, this marker, then sha256sum's: one exec answers both (each exec is a round trip to the
// runtime, and these sit inside the outage window).
const HASHES = '@@cutover-sha256@@';
const facts = (files: string) => `stat -c "%s %a %u %g %n" ${files}; echo ${HASHES}; sha256sum ${files}`;
/** Exit code of moveIntoPlace's script when the move itself (or the removal before it) failed. */
const MOVE_FAILED = 97;
const REMOVE_FAILED = 96;

/** Exit code of the scripts below when `service NAME status` says the daemon runs (or, for start, does not). */
const SERVICE_STATE = 98;

/**
 * Size, mode, owner and sha256 of several files in one exec, whatever their number. Missing files are
 * simply absent from the map. With `unlessRunning`, the same exec first refuses when that service runs
 * (a live SQLite file is never copied).
 */
export async function fileFacts(ctx: ActionContext, container: string, paths: string[], o: { unlessRunning?: string } = {}): Promise<Map<string, FileFactsWithHash>> {
  const service = o.unlessRunning;
  if (service && paths.length > 8) throw new Error('fileFacts: at most 8 paths with unlessRunning');
  // With the service as $1, the files are $2…; without, all of "$@".
  const script = service ? `service "$1" status && exit ${SERVICE_STATE}; ${facts(paths.map((_, i) => `"$${i + 2}"`).join(' '))}` : facts('"$@"');
  const r = await ctx.runtime.exec(container, ['sh', '-c', script, 'sh', ...(service ? [service] : []), ...paths]);
  if (service && r.exitCode === SERVICE_STATE) throw new ActionError(`${container}: refusing to copy the live SQLite file ${paths[0]}: ${service} is still running (stop it first)`);
  return parseFacts(container, paths, r.stdout, r.stderr);
}

/** serviceSwitch's stop with confirmDown: the stop itself failed / the status right after it still says running. */
const STOP_FAILED = 94;
const STILL_RUNNING = 95;

/**
 * `service NAME stop` (or start) unless it already is (a resumed run), with the status check in the same
 * exec. Returns whether the daemon was running before; throws when the stop/start itself failed. A stop
 * with `confirmDown` also asks the status right after the stop, in the same exec (one exec less inside an
 * outage window): `down` says whether it was down then.
 */
export async function serviceSwitch(ctx: ActionContext, container: string, service: string, verb: 'stop' | 'start', timeoutMs?: number, o: { confirmDown?: boolean } = {}): Promise<{ wasRunning: boolean; down?: boolean }> {
  const skip = verb === 'stop' ? '||' : '&&';
  const confirm = verb === 'stop' && o.confirmDown;
  const act = confirm ? `service "$1" stop || exit ${STOP_FAILED}; service "$1" status || exit 0; exit ${STILL_RUNNING}` : `service "$1" ${verb}`;
  const r = await ctx.runtime.exec(container, ['sh', '-c', `service "$1" status ${skip} exit ${SERVICE_STATE}; ${act}`, 'sh', service], {
    onLine: (line, stream) => ctx.emit({ kind: 'output', line, stream }),
    ...(timeoutMs !== undefined ? { timeoutMs: timeoutMs + 5_000 } : {}),
  });
  if (r.exitCode === SERVICE_STATE) return { wasRunning: verb === 'start', ...(confirm ? { down: true } : {}) };
  if (confirm && r.exitCode === STILL_RUNNING) return { wasRunning: true, down: false };
  if (r.exitCode !== 0) {
    const why = lastLines(r.stderr || r.stdout);
    const how = confirm && r.exitCode === STOP_FAILED ? 'failed' : `exited ${r.exitCode}`;
    throw new ActionError(`${instanceRef(ctx.runbook, container)}: \`service ${service} ${verb}\` ${how}${why ? `: ${why}` : ''}`);
  }
  return { wasRunning: verb === 'stop', ...(confirm ? { down: true } : {}) };
}

/**
 * Renames `tmp` to `path` (atomic within the file system) and returns the facts of `path`, in one exec.
 * `removeFirst` (at most 7 paths) are removed in the same exec before the rename (a copy's stale -wal/-shm).
 */
export async function moveIntoPlace(ctx: ActionContext, container: string, tmp: string, path: string, removeFirst: string[] = []): Promise<FileFactsWithHash | undefined> {
  if (removeFirst.length > 7) throw new Error('moveIntoPlace: at most 7 paths to remove first');
  const rm = removeFirst.length ? `rm -f ${removeFirst.map((_, i) => `"$${i + 3}"`).join(' ')} || exit ${REMOVE_FAILED}; ` : '';
  const r = await ctx.runtime.exec(container, ['sh', '-c', `${rm}mv -f "$1" "$2" || exit ${MOVE_FAILED}; ${facts('"$2"')}`, 'sh', tmp, path, ...removeFirst]);
  if (r.exitCode === REMOVE_FAILED) throw new ActionError(`${container}: \`rm -f ${removeFirst.join(' ')}\` failed${r.stderr.trim() ? `: ${lastLines(r.stderr)}` : ''}`);
  if (r.exitCode === MOVE_FAILED) throw new ActionError(`${container}: \`mv -f ${tmp} ${path}\` failed${r.stderr.trim() ? `: ${lastLines(r.stderr)}` : ''}`);
  return parseFacts(container, [path], r.stdout, r.stderr).get(path);
}

function parseFacts(container: string, paths: string[], stdout: string, stderr: string): Map<string, FileFactsWithHash> {
  const [statPart = '', sumPart = ''] = stdout.split(`${HASHES}\n`);
  const stats = new Map<string, FileFacts>();
  for (const line of statPart.split('\n')) {
    const m = /^(\d+) ([0-7]+) (\d+) (\d+) (.+)$/.exec(line);
    if (m && paths.includes(m[5]!)) stats.set(m[5]!, { size: Number(m[1]), mode: m[2]!.padStart(4, '0'), uid: Number(m[3]), gid: Number(m[4]) });
  }
  const out = new Map<string, FileFactsWithHash>();
  for (const line of sumPart.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    const f = m && stats.get(m[2]!);
    if (f) out.set(m[2]!, { ...f, sha256: m[1]! });
  }
  const unhashed = [...stats.keys()].filter((p) => !out.has(p));
  if (unhashed.length) throw new ActionError(`${container}: sha256sum gave no hash for ${unhashed.join(', ')}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
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

/** The report fields of a service.stop / service.start (ServiceChange in src/journal/events.ts). */
export function serviceChange({ changed: c = {} }: ActionResult): Record<string, unknown> {
  return { container: c.container, service: c.service, wasRunning: typeof c.wasRunning === 'boolean' ? c.wasRunning : null };
}

/** Whether host:port accepts a TCP connection within 500 ms. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
