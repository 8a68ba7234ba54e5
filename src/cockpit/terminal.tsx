// Puts the cockpit on the terminal and guarantees it is given back: Ink unmounted (raw mode off), cursor
// shown, on q (the driver calls close), Ctrl-C (through the driver's onInterrupt), SIGTERM, SIGHUP,
// SIGINT and uncaught errors. Ink: maxFps 12, incremental rendering, no exit on Ctrl-C (the driver asks).
import { render } from 'ink';
import { setFlagsFromString } from 'node:v8';
import { Cockpit, colorFromEnv } from '../../screens/Cockpit.tsx';
import type { CockpitStore } from '../../screens/state/store.ts';
import type { CliIO } from '../contract/io.ts';
import { CliError } from '../contract/io.ts';

const SHOW_CURSOR = '\u001b[?25h';

export interface Mounted {
  /** Unmounts and restores the terminal; idempotent. */
  close(): void;
  /** Settles when the screen is closed (by close() or a signal); the value is the signal's exit code, if any. */
  closed: Promise<number | null>;
}

/**
 * The cockpit stays up for hours refreshing panels: V8's size-optimised heap heuristics (a 1 MiB young
 * generation, more eager old-generation collection) keep the resident set near what is live instead of
 * letting each refresh's garbage pile up. Set at run time before the screen starts (measured in the lab at
 * idle: VmRSS 170 → see the commit message). Costs a little more GC time, which an idle screen has.
 */
export function leanHeap(): void {
  setFlagsFromString('--optimize-for-size');
  // WebAssembly (undici's llhttp on the first panel request, yoga): baseline code only. The optimising
  // tier's compile of llhttp alone took ~35 MiB of native memory at the first refresh (the cockpit's peak
  // RSS); an HTTP parser for a few probes a second and a layout of one screen gain nothing from it.
  setFlagsFromString('--liftoff-only');
}

/** `run` and `watch` need a terminal on both ends; without one they say what to use instead (exit 2). */
export function requireTty(io: CliIO, command: 'run' | 'watch', runbook: string): void {
  if (io.stdin.isTTY && io.stdout.isTTY) return;
  const instead =
    command === 'run'
      ? `use \`cutover apply ${runbook} --yes\` to drive it without a terminal (add --allow-destructive for destructive steps), or \`cutover status ${runbook}\` to look`
      : `use \`cutover status ${runbook}\` (or \`cutover journal ${runbook}\`) to look without a terminal`;
  throw new CliError(`${command}: the cockpit needs a terminal (stdin and stdout must be a TTY); ${instead}`, 'usage');
}

/**
 * Ink 6.8's incremental renderer moves the cursor up one row too few before redrawing a frame that ended
 * with a newline (every frame shorter than the terminal does), so each redraw lands one row lower and the
 * screen smears downwards. Its redraw starts with exactly that cursor-up; this stdout adds the missing row.
 * (A frame that shrinks starts with an erase sequence instead, which Ink gets right, and is left alone.)
 */
export function fixIncrementalStdout<T extends NodeJS.WriteStream>(real: T): T {
  const write = (chunk: unknown, ...rest: unknown[]) => {
    const fixed = typeof chunk === 'string' ? chunk.replace(/^\u001b\[(\d+)A/, (_m, n: string) => `\u001b[${Number(n) + 1}A`) : chunk;
    return (real.write as (...a: unknown[]) => boolean)(fixed, ...rest);
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'write') return write;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * `onAbandon` runs first when the process is about to end without the driver's own close: a signal (the
 * terminal hung up, SIGTERM) or a crash, which after a hang-up is often a write to the vanished terminal
 * failing before the SIGHUP arrives. The driver releases its lease there, so the next `cutover run` resumes
 * without --take-over.
 */
export function mountCockpit(store: CockpitStore, io: CliIO, opts: { onInterrupt: () => void; onAbandon?: () => void }): Mounted {
  let resolveClosed!: (code: number | null) => void;
  const closed = new Promise<number | null>((r) => (resolveClosed = r));
  const ink = render(<Cockpit store={store} color={colorFromEnv(io.env)} onInterrupt={opts.onInterrupt} />, {
    stdout: fixIncrementalStdout(io.stdout as NodeJS.WriteStream),
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
    maxFps: 12,
    incrementalRendering: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let done = false;
  const restore = (code: number | null) => {
    if (done) return;
    done = true;
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    try {
      ink.unmount();
    } catch {
      // already gone
    }
    const stdin = io.stdin as NodeJS.ReadStream;
    if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
      try {
        stdin.setRawMode(false);
      } catch {
        // the terminal may already be gone (SIGHUP)
      }
    }
    stdin.pause?.();
    io.stdout.write(SHOW_CURSOR);
    resolveClosed(code);
  };
  let abandoned = false;
  const abandon = () => {
    if (abandoned) return;
    abandoned = true;
    try {
      opts.onAbandon?.();
    } catch {
      // best effort: the lease goes stale on its own if this fails
    }
  };
  const signalCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const handlers: [NodeJS.Signals, () => void][] = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [
    sig,
    () => {
      // The lease first: after a hang-up the terminal may be gone, and writing to it can throw.
      abandon();
      try {
        restore(signalCodes[sig]!);
        io.stderr.write(`\ncutover: ${sig}: cockpit closed; the run stays resumable with cutover run\n`);
      } catch {
        // no terminal left to restore
      }
      // A signal ends the process: whatever was in flight is picked up by the next `cutover run`.
      io.exit(signalCodes[sig]!);
    },
  ]);
  for (const [sig, h] of handlers) process.on(sig, h);
  const onCrash = (err: unknown) => {
    abandon();
    try {
      restore(70);
    } catch {
      // no terminal left to restore
    }
    try {
      io.stderr.write(`cutover: the cockpit crashed: ${(err as Error)?.stack ?? String(err)}\n`);
    } catch {
      // the terminal is gone (hang-up)
    }
    io.exit(70);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return { close: () => restore(null), closed };
}
