// Drives the real cockpit in tmux: a private tmux server per test (its own socket), send-keys in, capture-pane
// out, and a driver that runs a runbook to the end by keys only, answering each question as a person would.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { BUNDLE, REPO, ensureBundle } from '../helpers/cli.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class Tmux {
  readonly socket = `cutover-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** A shell command line that runs cutover as an operator does (bin/cutover.js: its shebang's node flags,
   *  then the bundle) with `args` under `env`, then reports its exit code. */
  static command(args: string[], env: Record<string, string>, delayS = 0): string {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${q(v)}`).join(' ');
    return `${delayS ? `sleep ${delayS}; ` : ''}cd ${q(REPO)} && env ${exports} ${q(`${REPO}bin/cutover.js`)} ${args.map(q).join(' ')}; echo "EXIT=$?"; sleep 600`;
  }

  async session(name: string, columns: number, rows: number, args: string[], env: Record<string, string>): Promise<string> {
    await ensureBundle();
    this.tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), Tmux.command(args, env));
    return `${name}:0`;
  }

  /** `delayS`: start the command that much later (time to attach pipe-pane before its first byte). */
  window(session: string, args: string[], env: Record<string, string>, delayS = 0): string {
    const id = this.tmux('new-window', '-d', '-P', '-F', '#{window_index}', '-t', session, Tmux.command(args, env, delayS)).trim();
    return `${session}:${id}`;
  }

  keys(target: string, ...keys: string[]): void {
    for (const k of keys) this.tmux('send-keys', '-t', target, k);
  }

  literal(target: string, text: string): void {
    this.tmux('send-keys', '-t', target, '-l', text);
  }

  lines(target: string): string[] {
    return this.tmux('capture-pane', '-p', '-t', target).replace(/\n+$/, '').split('\n');
  }

  text(target: string): string {
    return this.lines(target).join('\n');
  }

  /** Polls the pane until `test` holds; fails with the last screen after `timeoutMs`. */
  async waitFor(target: string, test: (text: string, lines: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines(target);
      const text = lines.join('\n');
      if (test(text, lines)) return text;
      if (Date.now() > deadline) throw new Error(`tmux: waited ${timeoutMs} ms for ${what}; screen:\n${text}`);
      await sleep(50);
    }
  }

  /** Everything the pane receives from now on goes to `file` (raw bytes, for the idle bytes/s figure). */
  pipe(target: string, file: string): void {
    this.tmux('pipe-pane', '-o', '-t', target, `cat >> ${q(file)}`);
  }

  unpipe(target: string): void {
    this.tmux('pipe-pane', '-t', target);
  }

  pid(target: string): number {
    return Number(this.tmux('display-message', '-p', '-t', target, '#{pane_pid}').trim());
  }

  killSession(name: string): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-session', '-t', name]);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }

  static create(t: TestContext): Tmux {
    const x = new Tmux();
    t.after(() => x.kill());
    return x;
  }
}

export const messageLine = (lines: string[]) => frame(lines).at(-2) ?? '';
export const footerLine = (lines: string[]) => frame(lines).at(-1) ?? '';

/** The cockpit's frame: from the top border to the bottom border (the shell lines after it excluded). */
export function frame(lines: string[]): string[] {
  const end = lines.findIndex((l) => l.startsWith('└'));
  return end < 0 ? lines : lines.slice(0, end + 1);
}

/** The step glyphs of the runbook list rows on screen, by step number. */
export function listedStates(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of lines) {
    const m = /^│[ ›]([·►✓✗↷↺]) +(\d+) /.exec(l);
    if (m) out.set(Number(m[2]), m[1]!);
  }
  return out;
}

/** "step 7/35" / "done 35/35" from the header (compact: "· 7/35 ·"). */
export function headerProgress(lines: string[]): { done: boolean; n: number; of: number } | null {
  const head = lines[0] ?? '';
  const m = /(step|done) (\d+)\/(\d+)/.exec(head);
  if (m) return { done: m[1] === 'done', n: Number(m[2]), of: Number(m[3]) };
  const c = /· (done )?(\d+)\/(\d+)/.exec(head);
  return c ? { done: Boolean(c[1]), n: Number(c[2]), of: Number(c[3]) } : null;
}

/**
 * Runs steps by keys until `stopAfter` steps ran in this call or the runbook is done: enter, then answer the
 * question (enter for a plain step, y for a destructive one, the container name for an irreversible one),
 * then wait until the step is no longer running. Returns how many steps it ran.
 */
export async function driveSteps(x: Tmux, target: string, opts: { stopAfter?: number; timeoutMs?: number; onStep?: (n: number) => Promise<void> } = {}): Promise<number> {
  let ran = 0;
  for (;;) {
    const lines = x.lines(target);
    if (headerProgress(lines)?.done || /cutover complete/.test(messageLine(lines))) return ran;
    if (opts.stopAfter !== undefined && ran >= opts.stopAfter) return ran;
    if (/✗ .* failed: /.test(messageLine(lines))) throw new Error(`a step failed:\n${lines.join('\n')}`);
    x.keys(target, 'Enter');
    const asked = await x.waitFor(target, (_t, l) => /\? (enter\/y|y) run|IRREVERSIBLE/.test(messageLine(l)), 'the run question');
    const prompt = messageLine(asked.split('\n'));
    const typed = /type (\S+) and enter/.exec(prompt);
    if (typed) {
      x.literal(target, typed[1]!);
      x.keys(target, 'Enter');
    } else if (/DESTRUCTIVE/.test(prompt)) x.keys(target, 'y');
    else x.keys(target, 'Enter');
    ran++;
    // Finished: the footer offers enter again (or says every step is done), nothing is running.
    await x.waitFor(
      target,
      // (the cockpit's preflight before the first destructive step runs before the step shows as running)
      (_t, l) => !/is running/.test(footerLine(l)) && !/\? (enter\/y|y) run/.test(messageLine(l)) && !/running \S+…|preflight before \S+/.test(messageLine(l)),
      'the step to finish',
      opts.timeoutMs ?? 60_000,
    );
    await opts.onStep?.(ran);
  }
}

/** The pid of the cockpit's node process under the pane's shell. */
export function cockpitPid(shellPid: number): number | null {
  const children = spawnSync('pgrep', ['-P', String(shellPid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  for (const pid of [...children, String(shellPid)]) {
    const status = `/proc/${pid}/status`;
    if (existsSync(status) && /Name:\s+node/.test(readFileSync(status, 'utf8'))) return Number(pid);
  }
  return null;
}

export async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive ${timeoutMs} ms after its terminal went away`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident set of the cockpit's node process (a child of the pane's shell), from /proc, in MiB. */
export function rssMiB(shellPid: number): number | null {
  const children = spawnSync('pgrep', ['-P', String(shellPid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  for (const pid of [...children, String(shellPid)]) {
    const status = `/proc/${pid}/status`;
    if (!existsSync(status)) continue;
    const text = readFileSync(status, 'utf8');
    if (!/Name:\s+node/.test(text)) continue;
    const m = /VmRSS:\s+(\d+) kB/.exec(text);
    if (m) return Number(m[1]) / 1024;
  }
  return null;
}

export function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}
