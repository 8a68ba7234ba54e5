// A private tmux server for the cockpit figures (its own -L socket, killed afterwards): sessions of a fixed
// size, capture-pane polling, keys, pipe-pane into a file, and the node process behind a pane.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Every tmux call is bounded and hands tmux no descriptor of ours: a tmux server started by a call must not
 *  hold the bench's stdout/stderr open, and a call that hangs must not block the bench's event loop forever. */
const TMUX_CALL = { encoding: 'utf8' as const, timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };

export class BenchTmux {
  readonly socket = `cutover-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], TMUX_CALL);
  }

  /** Starts `argv` in a detached session of columns×rows; afterwards the pane prints EXIT=<code> and waits. */
  start(name: string, columns: number, rows: number, argv: string[], env: Record<string, string>, cwd: string): void {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(' ');
    const cmd = `cd ${shq(cwd)} && env ${exports} ${argv.map(shq).join(' ')}; echo "EXIT=$?"; sleep 600`;
    this.tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), cmd);
  }

  lines(name: string): string[] {
    return this.tmux('capture-pane', '-p', '-t', name).replace(/\n+$/, '').split('\n');
  }

  /** Polls every `everyMs` until `test` holds on the screen; throws with the last screen after `timeoutMs`. */
  async waitFor(name: string, test: (lines: string[]) => boolean, what: string, timeoutMs = 20_000, everyMs = 10): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines(name);
      if (test(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; screen:\n${lines.join('\n')}`);
      await sleep(everyMs);
    }
  }

  keys(name: string, ...keys: string[]): void {
    for (const k of keys) this.tmux('send-keys', '-t', name, k);
  }

  /** From now on every byte the program writes to its terminal is appended to `file`. */
  pipe(name: string, file: string): void {
    this.tmux('pipe-pane', '-o', '-t', name, `cat >> ${shq(file)}`);
  }

  unpipe(name: string): void {
    this.tmux('pipe-pane', '-t', name);
  }

  /** The node process of the pane (the shell's child). */
  nodePid(name: string): number | null {
    const shell = this.tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim();
    const kids = spawnSync('pgrep', ['-P', shell], TMUX_CALL).stdout.trim().split('\n').filter(Boolean);
    for (const pid of kids) {
      const f = `/proc/${pid}/status`;
      if (existsSync(f) && /^Name:\s+node/m.test(readFileSync(f, 'utf8'))) return Number(pid);
    }
    return null;
  }

  killSession(name: string): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-session', '-t', name], TMUX_CALL);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], TMUX_CALL);
  }
}

/** Peak resident set (VmHWM) of a process so far, in bytes; null once it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
