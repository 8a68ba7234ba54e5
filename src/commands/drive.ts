// What `apply` and `rollback` share: opening the run with operator-facing errors, and the progress lines.
import { shellLine } from '../shell.ts';
import { readFileSync } from 'node:fs';
import { CliError, type CliIO } from '../contract/io.ts';
import { unifiedDiff } from '../caddyfile/diff.ts';
import { isStorageError, LockHeldError, RunbookChangedError } from '../journal/index.ts';
import { openRun, RunnerInputError, WorldChangedError, type OpenRunOptions, type Run, type RunHooks, type RunnerEvent } from '../runner/index.ts';
import { STATE_GLYPH } from '../engine/types.ts';
import { humanDuration } from '../report/format.ts';

/** openRun with its refusals as CliErrors: bad runbook and a changed runbook (with the diff) are bad-input, another driver is refused. */
/** The options every driver command takes the same way: the runbook, --state, --take-over, --accept-changed-runbook. */
export function drivingOptions(file: string, env: NodeJS.ProcessEnv, values: { state?: string; 'take-over'?: boolean; 'accept-changed-runbook'?: boolean }) {
  return {
    runbookPath: file,
    env,
    ...(values.state ? { stateDir: values.state } : {}),
    takeOver: Boolean(values['take-over']),
    acceptChanged: Boolean(values['accept-changed-runbook']),
  };
}

export async function openForDriving(o: OpenRunOptions): Promise<Run> {
  try {
    return await openRun(o);
  } catch (err) {
    if (err instanceof RunnerInputError) throw new CliError(err.message, 'bad-input');
    if (err instanceof LockHeldError) throw new CliError(err.message, 'refused');
    // The world is not the one the unfinished run journaled: a problem in the world (exit 1), nothing touched.
    if (err instanceof WorldChangedError) throw new CliError(err.message, 'failed');
    // Before any step ran: nothing changed, nothing is down, and openRun released the lease.
    if (isStorageError(err)) throw new CliError(`the journal could not be written (${(err as Error).message}): nothing was started, nothing is down, the driver lease is released. Free space in the state directory (df -h; cutover journal RUNBOOK --prune) and run again`, 'failed');
    if (err instanceof RunbookChangedError) {
      let now = '';
      try {
        now = readFileSync(o.runbookPath, 'utf8');
      } catch {
        // The message still says what changed.
      }
      throw new CliError(`${err.message}\n${unifiedDiff(o.runbookPath, err.oldText, now)}`, 'bad-input');
    }
    throw err;
  }
}

/** Progress lines for one driver: step starts and results, notes; commands and output lines only with verbose. */
export function progressHooks(run: Run, out: NodeJS.WritableStream, opts: { verbose?: boolean; yes?: boolean } = {}): RunHooks {
  const index = new Map(run.plan.map((s) => [s.key, s]));
  const started = new Map<string, number>();
  return {
    onEvent(e: RunnerEvent) {
      const step = 'key' in e ? index.get(e.key) : undefined;
      const n = step ? String(step.index).padStart(2) : '  ';
      if (e.kind === 'state') {
        if (e.state === 'running') {
          started.set(e.key, e.at);
          out.write(`${STATE_GLYPH.running} ${n} ${e.key}: ${step?.title ?? ''}\n`);
        } else {
          const took = started.has(e.key) && e.state !== 'rolled-back' ? ` (${humanDuration(e.at - started.get(e.key)!)})` : '';
          const text = e.state === 'failed' ? (e.error ?? 'failed') : (e.summary ?? e.state);
          const [first, ...rest] = text.split('\n');
          out.write(`${STATE_GLYPH[e.state]} ${n} ${e.key}: ${first}${took}\n${rest.map((l) => `       ${l}\n`).join('')}`);
        }
      } else if (e.kind === 'outage') {
        out.write(`   ── outage window ${e.state} ──\n`);
      } else if (e.kind === 'note') {
        out.write(`   ${e.message}\n`);
      } else if (opts.verbose) {
        const ev = e.event;
        if (ev.kind === 'command') out.write(`       $ ${shellLine(ev.argv)}\n`);
        else if (ev.kind === 'output') out.write(`       ${ev.line}\n`);
        else out.write(`       … ${ev.message}\n`);
      }
    },
    async confirm(prompt, _step, kind) {
      // --yes answers the runbook's own gates; whether an interrupted step may run again is an operator's call.
      const yes = Boolean(opts.yes) && kind !== 'recheck';
      out.write(`   ? ${prompt} → ${yes ? 'yes (--yes)' : kind === 'recheck' ? 'no: decide in the cockpit (cutover run), or skip it with apply --from NEXT' : 'no (not interactive)'}\n`);
      return yes;
    },
  };
}
