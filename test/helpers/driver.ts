// A driver (`cutover apply …`) as a child process the test can kill -9 at a chosen moment, and a
// read-only look into its journal while it runs (WAL: readers never block the writer).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, ensureBundle, REPO } from './cli.ts';
import { openJournal, type Journal, type JournalEvent } from '../../src/journal/index.ts';

export interface Driver {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export async function startDriver(args: string[], env: Record<string, string>): Promise<Driver> {
  await ensureBundle();
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal, stdout, stderr }))),
  );
  return { child, done };
}

/** Polls the journal until `pred` matches an event (returns it), or the driver exits first (returns null). */
export async function waitForEvent(stateDir: string, driver: Driver, pred: (e: JournalEvent) => boolean, opts: { afterId?: number; timeoutMs?: number } = {}): Promise<JournalEvent | null> {
  const timeoutMs = opts.timeoutMs ?? 300_000; // a lab cutover reaching a late step takes minutes on a busy machine
  let exited = false;
  void driver.done.then(() => (exited = true));
  const until = Date.now() + timeoutMs;
  let j: Journal | null = null;
  let after = opts.afterId ?? 0;
  try {
    while (Date.now() < until) {
      if (!j && existsSync(join(stateDir, 'journal.sqlite'))) {
        try {
          j = openJournal({ stateDir, readonly: true });
        } catch {
          j = null;
        }
      }
      if (j) {
        for (const e of j.eventsAfter(after)) {
          after = e.id;
          if (pred(e)) return e;
        }
      }
      if (exited) return null;
      await new Promise((r) => setTimeout(r, 15));
    }
    throw new Error(`no matching journal event within ${timeoutMs} ms`);
  } finally {
    j?.close();
  }
}

/** The newest event id (0 when there is no journal yet). */
export function lastEventId(stateDir: string): number {
  return existsSync(join(stateDir, 'journal.sqlite')) ? readJournal(stateDir, (j) => j.lastEventId()) : 0;
}

export function readJournal<T>(stateDir: string, f: (j: Journal) => T): T {
  const j = openJournal({ stateDir, readonly: true });
  try {
    return f(j);
  } finally {
    j.close();
  }
}
