// Progress for long archives on stderr: one updating line on a TTY, a plain line every few seconds otherwise.
import { formatBytes } from './contract.ts';
import type { Progress, ProgressFn } from './types.ts';

export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export function progressReporter(sink: ProgressSink, opts: { now?: () => number; plainEveryMs?: number } = {}): ProgressFn & { done(): void } {
  const now = opts.now ?? Date.now;
  const started = now();
  const tty = Boolean(sink.isTTY);
  const every = tty ? 200 : (opts.plainEveryMs ?? 5000);
  let last = -Infinity;
  let drawn = false;
  const fn = ((p: Progress) => {
    const t = now();
    if (t - last < every) return;
    last = t;
    const line = progressLine(p, t - started);
    if (tty) {
      sink.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else sink.write(line + '\n');
  }) as ProgressFn & { done(): void };
  fn.done = () => {
    if (drawn) sink.write('\n');
  };
  return fn;
}

export function progressLine(p: Progress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.bytes / elapsedMs) * 1000 : 0;
  const parts = [`${p.phase}: ${formatBytes(p.bytes)}`];
  if (p.totalBytes && p.totalBytes > 0) {
    const pct = Math.min(100, (p.bytes / p.totalBytes) * 100);
    parts[0] += ` / ${formatBytes(p.totalBytes)} (${pct.toFixed(0)}%)`;
    if (rate > 0 && p.bytes < p.totalBytes) parts.push(`ETA ${formatDuration(((p.totalBytes - p.bytes) / rate) * 1000)}`);
  }
  if (rate > 0) parts.push(`${formatBytes(rate)}/s`);
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}` : `${p(Math.floor(s / 60))}:${p(s % 60)}`;
}
