// Runtime over the `incus` CLI (or the lab's Incus-compatible stand-in found through $CUTOVER_INCUS).
// Every call is one `incus` process; JSON output (`-f json`) wherever the CLI offers it.
import { execa, type ResultPromise } from 'execa';
import { logCommand } from './command-log.ts';
import { RUNTIME_CAPABILITIES, type ExecOptions, type ExecResult, type FullRuntime, type Instance, type PushOptions } from '../ports.ts';

export interface IncusOptions {
  /** Explicit binary (runbook runtime.binary); else $CUTOVER_INCUS; else `incus` on PATH. */
  binary?: string;
  /** Incus remote: names become `REMOTE:NAME`. */
  remote?: string;
  env?: NodeJS.ProcessEnv;
  /** Per-call timeout for non-exec commands. */
  timeoutMs?: number;
  /** How long a call refused with "Instance is busy running a … operation" is retried (default 60 s). */
  busyRetryMs?: number;
}

/** Real Incus refuses config and file calls while a (not cancellable) stop or start is still running; and
 *  right after an instance (re)started its file API's helper may not listen yet ("Failed getting instance SFTP
 *  connection: dial unix …/forkfile.sock"). Both pass: the call is retried, bounded. */
export const BUSY_PATTERN = /Instance is busy running an? "?(\w+)"? operation|Failed getting instance SFTP connection/i;

export class IncusError extends Error {
  constructor(
    message: string,
    readonly kind: 'missing' | 'unreachable' | 'not-found' | 'failed',
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message);
    this.name = 'IncusError';
  }
}

/** The incus binary the adapter will run. */
export function incusBinary(opts: Pick<IncusOptions, 'binary' | 'env'> = {}): string {
  const env = opts.env ?? process.env;
  return opts.binary || env.CUTOVER_INCUS || 'incus';
}

/** Incus' `incus list -f json` entry, the fields cutover reads. */
export interface IncusListEntry {
  name: string;
  status: string;
  type?: string;
  config?: Record<string, string>;
  created_at?: string;
  last_used_at?: string;
  state?: { network?: Record<string, { addresses?: { family: string; address: string; scope?: string }[] }> } | null;
}

export function toInstance(e: IncusListEntry): Instance {
  return {
    name: e.name,
    status: e.status,
    type: e.type === 'virtual-machine' ? 'virtual-machine' : 'container',
    ipv4: firstGlobalIpv4(e),
    config: { ...(e.config ?? {}) },
    createdAt: e.created_at ?? null,
    lastUsedAt: usedAt(e.last_used_at),
  };
}

/** Incus' "never used": Go's zero time (0001-01-01) or, for a never-started instance on real Incus, the Unix epoch. */
export function usedAt(v: string | undefined): string | null {
  if (!v || v.startsWith('0001-') || v.startsWith('1970-01-01T00:00:00')) return null;
  return v;
}

/** First global IPv4 of a non-loopback interface; eth0 first when present. */
export function firstGlobalIpv4(e: IncusListEntry): string | null {
  const net = e.state?.network ?? {};
  const names = Object.keys(net).filter((n) => n !== 'lo').sort((a, b) => (a === 'eth0' ? -1 : b === 'eth0' ? 1 : a.localeCompare(b)));
  for (const n of names) {
    for (const a of net[n]?.addresses ?? []) {
      if (a.family !== 'inet') continue;
      if (a.scope && a.scope !== 'global') continue;
      if (a.address.startsWith('169.254.')) continue;
      return a.address;
    }
  }
  return null;
}

export function createIncusRuntime(opts: IncusOptions = {}): IncusRuntime {
  return new IncusRuntime(opts);
}

export class IncusRuntime implements FullRuntime {
  readonly kind = 'incus';
  readonly capabilities = RUNTIME_CAPABILITIES;
  readonly binary: string;
  private readonly remote: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly busyRetryMs: number;

  constructor(opts: IncusOptions = {}) {
    this.binary = incusBinary(opts);
    this.remote = opts.remote ? opts.remote.replace(/:$/, '') : '';
    this.env = opts.env ?? process.env;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.busyRetryMs = opts.busyRetryMs ?? 60_000;
  }

  /** `REMOTE:NAME` when a remote is configured. */
  ref(name: string): string {
    return this.remote ? `${this.remote}:${name}` : name;
  }

  async list(): Promise<Instance[]> {
    const args = ['list', ...(this.remote ? [`${this.remote}:`] : []), '-f', 'json'];
    const out = await this.run(args);
    let entries: IncusListEntry[];
    try {
      entries = JSON.parse(out.stdout) as IncusListEntry[];
    } catch {
      throw new IncusError(`incus list returned output that is not JSON: ${out.stdout.slice(0, 200)}`, 'failed');
    }
    return entries.map(toInstance);
  }

  async get(name: string): Promise<Instance | null> {
    return (await this.list()).find((i) => i.name === name) ?? null;
  }

  async exec(name: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const args = ['exec', this.ref(name), '-T'];
    for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
    if (opts.cwd) args.push('--cwd', opts.cwd);
    args.push('--', ...argv);
    const child = this.spawn(args, { input: opts.input, timeoutMs: opts.timeoutMs });
    if (opts.onLine) streamLines(child, opts.onLine);
    const r = await child;
    if (r.failed && r.exitCode === undefined) throw this.toError(r, args, name);
    // incus exec itself reports a missing instance with exit 1 and "Error: …"; a command's own exit 1 looks
    // the same, so only Incus' own messages are turned into errors.
    const stderr = String(r.stderr ?? '');
    if (r.exitCode !== 0 && isIncusOwnError(stderr)) throw this.toError(r, args, name);
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr };
  }

  /** Owner and mode are always explicit: without --uid/--gid real Incus copies the host file's owner (also onto
   *  directories --create-dirs makes), and without --mode the host file's mode. Defaults: root:root, 0644. */
  async pushFile(name: string, localPath: string, remotePath: string, opts: PushOptions = {}): Promise<void> {
    const args = ['file', 'push', localPath, `${this.ref(name)}${absolute(remotePath)}`];
    args.push('--mode', `0${(opts.mode ?? 0o644).toString(8)}`);
    args.push('--uid', String(opts.uid ?? 0));
    args.push('--gid', String(opts.gid ?? 0));
    if (opts.createDirs) args.push('--create-dirs');
    await this.run(args, name);
  }

  async pullFile(name: string, remotePath: string, localPath: string): Promise<void> {
    await this.run(['file', 'pull', `${this.ref(name)}${absolute(remotePath)}`, localPath], name);
  }

  async launch(name: string, image: string, opts: { profile?: string; config?: Record<string, string> } = {}): Promise<void> {
    const args = ['launch', image, this.ref(name)];
    if (opts.profile) args.push('--profile', opts.profile);
    for (const [k, v] of Object.entries(opts.config ?? {})) args.push('--config', `${k}=${v}`);
    await this.run(args);
  }

  async start(name: string): Promise<void> {
    await this.run(['start', this.ref(name)], name);
  }

  async stop(name: string, opts: { force?: boolean; timeoutS?: number } = {}): Promise<void> {
    const args = ['stop', this.ref(name)];
    if (opts.force) args.push('--force');
    if (opts.timeoutS !== undefined) args.push('--timeout', String(opts.timeoutS));
    await this.run(args, name);
  }

  async delete(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.run(['delete', this.ref(name), ...(opts.force ? ['--force'] : [])], name);
  }

  async getConfig(name: string, key: string): Promise<string> {
    return (await this.run(['config', 'get', this.ref(name), key], name)).stdout.replace(/\n$/, '');
  }

  async setConfig(name: string, key: string, value: string): Promise<void> {
    await this.run(['config', 'set', this.ref(name), `${key}=${value}`], name);
  }

  async unsetConfig(name: string, key: string): Promise<void> {
    await this.run(['config', 'unset', this.ref(name), key], name);
  }

  async exportTo(name: string, file: string): Promise<void> {
    await this.run(['export', this.ref(name), file], name);
  }

  async instanceLog(name: string): Promise<string> {
    return (await this.run(['info', '--show-log', this.ref(name)], name)).stdout;
  }

  private spawn(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): ResultPromise<{ reject: false; stripFinalNewline: false; buffer: true }> {
    logCommand(this.binary, args);
    return execa(this.binary, args, {
      reject: false,
      stripFinalNewline: false,
      buffer: true,
      env: this.env,
      extendEnv: false,
      timeout: opts.timeoutMs ?? this.timeoutMs,
      ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
    }) as ResultPromise<{ reject: false; stripFinalNewline: false; buffer: true }>;
  }

  /** One incus call; a busy instance (a stop or start still running server-side) is retried, bounded. */
  private async run(args: string[], instance?: string): Promise<{ stdout: string; stderr: string }> {
    const until = Date.now() + this.busyRetryMs;
    for (;;) {
      const r = await this.spawn(args);
      if (!r.failed && r.exitCode === 0) return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
      const busy = BUSY_PATTERN.exec(String(r.stderr ?? ''));
      if (!busy || Date.now() >= until) {
        const err = this.toError(r, args, instance);
        if (busy) err.message += ` (still busy after retrying for ${Math.round(this.busyRetryMs / 1000)} s)`;
        throw err;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  private toError(r: { exitCode?: number; stderr?: unknown; code?: string; timedOut?: boolean; shortMessage?: string }, args: string[], instance?: string): IncusError {
    const cmd = `incus ${args.join(' ')}`;
    if (r.code === 'ENOENT') {
      return new IncusError(
        `incus not found (tried "${this.binary}"): install Incus, or set CUTOVER_INCUS to its path (the lab sets it for you: eval "$(cutover lab env)")`,
        'missing',
      );
    }
    if (r.code === 'EACCES') return new IncusError(`incus at "${this.binary}" is not executable (EACCES)`, 'missing');
    const stderr = String(r.stderr ?? '').trim();
    if (r.timedOut) return new IncusError(`${cmd}: timed out`, 'failed', stderr, null);
    if (!/forkfile\.sock|SFTP connection/.test(stderr) && /connect: (no such file|connection refused|permission denied)|Failed to connect|unix\.socket|daemon (doesn't appear to be|is not) (started|running)/i.test(stderr)) {
      return new IncusError(`incus daemon unreachable (${cmd}): ${firstLine(stderr)} — is incusd running, and may this user use it?`, 'unreachable', stderr, r.exitCode ?? null);
    }
    if (/Instance not found|not found/i.test(stderr) && instance) {
      return new IncusError(`instance "${this.ref(instance)}" does not exist (${cmd}): ${firstLine(stderr)}`, 'not-found', stderr, r.exitCode ?? null);
    }
    return new IncusError(`${cmd} failed (exit ${r.exitCode ?? '?'}): ${stderr || r.shortMessage || 'no output'}`, 'failed', stderr, r.exitCode ?? null);
  }
}

/** Incus' own errors, as the lab and real Incus word them, e.g. real Incus' `Error: Failed to fetch instance "X"
 *  in project "default": Instance not found` for exec on a missing instance. */
function isIncusOwnError(stderr: string): boolean {
  return /^Error: (Instance not found|Failed to connect|Instance is not running|Failed checking instance|Failed to fetch instance|Failed to retrieve instance)/m.test(stderr);
}

function absolute(p: string): string {
  return p.startsWith('/') ? p : `/${p}`;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim()) ?? s;
}

function streamLines(child: ResultPromise, onLine: NonNullable<ExecOptions['onLine']>): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    let buf = '';
    const s = child[stream];
    if (!s) continue;
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i), stream);
        buf = buf.slice(i + 1);
      }
    });
    s.on('end', () => {
      if (buf) onLine(buf, stream);
      buf = '';
    });
  }
}
