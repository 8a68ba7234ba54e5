// What every bench figure shares: the result row, timing helpers, child processes with a hard timeout.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One row of the table and of --json. ratio = value / baseline, always (goals say which way is good). */
export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  baseline: number | null;
  /** What the baseline is, in words ("node -e 0", "tar | gzip" …). */
  baselineOf: string;
  ratio: number | null;
  /** The goal in words, null when the issue asks only for the number. */
  goal: string | null;
  ok: boolean | null;
  /** Size used, query plan, why a figure could not be measured … */
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Scratch directory of this run (removed afterwards). */
  tmp: string;
  /** Repository root. */
  repo: string;
  log(line: string): void;
}

export type FigureFn = (ctx: BenchContext) => Promise<Figure[]>;

export function figure(f: Omit<Figure, 'ratio' | 'ok'> & { ok?: boolean | null; check?: (value: number, ratio: number | null) => boolean }): Figure {
  const ratio = f.value !== null && f.baseline !== null && f.baseline !== 0 ? round(f.value / f.baseline, 3) : null;
  const ok = f.ok !== undefined ? f.ok : f.check && f.value !== null ? f.check(f.value, ratio) : null;
  const { check: _check, ...rest } = f;
  return { ...rest, value: f.value === null ? null : round(f.value, 3), baseline: f.baseline === null ? null : round(f.baseline, 3), ratio, ok };
}

/** A figure that could not be measured: value null, the reason in the note. */
export function unmeasured(name: string, unit: string, baselineOf: string, goal: string | null, why: string, baseline: number | null = null): Figure {
  return { name, value: null, unit, baseline, baselineOf, ratio: null, goal, ok: null, note: why };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** Median wall time of `runs` calls, run alternately with the baseline so both see the same machine state. */
export async function sideBySide(runs: number, subject: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<{ value: number; baseline: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    b.push((await timed(baseline)).ms);
    a.push((await timed(subject)).ms);
  }
  return { value: median(a), baseline: median(b) };
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion (killed after timeoutMs); never rejects. */
export function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      // A child that exits without reading its input is judged by its exit status, not by the bench dying of EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}

export function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** A figure group that cannot run yet (the command it measures is not built) throws this. */
export class Pending extends Error {}
