// The machine cutover runs on, as a Runtime: exec runs argv locally (never through a shell), push/pull are
// local copies. It declares no capabilities: container lifecycle and config make no sense here.
import { copyFileSync, chmodSync, chownSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { logCommand } from './command-log.ts';
import type { ExecOptions, ExecResult, Instance, Runtime } from '../ports.ts';

export class HostRuntime implements Runtime {
  readonly kind = 'host';
  /** This machine: read, write and run; no instance lifecycle or config. */
  readonly capabilities = [] as const;
  readonly name = hostname();

  private instance(): Instance {
    return { name: this.name, status: 'Running', type: 'container', ipv4: '127.0.0.1', config: {}, createdAt: null, lastUsedAt: null };
  }

  async list(): Promise<Instance[]> {
    return [this.instance()];
  }

  async get(name: string): Promise<Instance | null> {
    return name === this.name || name === 'host' ? this.instance() : null;
  }

  async exec(_name: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('host exec: empty argv');
    logCommand(cmd, args);
    const child = execa(cmd, args, {
      reject: false,
      env: opts.env,
      cwd: opts.cwd,
      input: opts.input,
      timeout: opts.timeoutMs,
      stripFinalNewline: false,
      lines: false,
    });
    if (opts.onLine) {
      const emit = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line) opts.onLine!(line, stream);
      };
      child.stdout?.on('data', emit('stdout'));
      child.stderr?.on('data', emit('stderr'));
    }
    const r = await child;
    if (r.failed && r.exitCode === undefined) {
      return { exitCode: 127, stdout: '', stderr: r.shortMessage ?? `${cmd}: cannot run` };
    }
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  }

  async pushFile(_name: string, localPath: string, remotePath: string, opts: { mode?: number; uid?: number; gid?: number; createDirs?: boolean } = {}): Promise<void> {
    if (opts.createDirs) mkdirSync(dirname(remotePath), { recursive: true });
    copyFileSync(localPath, remotePath);
    if (opts.mode !== undefined) chmodSync(remotePath, opts.mode);
    if (opts.uid !== undefined || opts.gid !== undefined) chownSync(remotePath, opts.uid ?? -1, opts.gid ?? -1);
  }

  async pullFile(_name: string, remotePath: string, localPath: string): Promise<void> {
    copyFileSync(remotePath, localPath);
  }
}
