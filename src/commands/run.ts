// cutover run RUNBOOK: the cockpit as the driver — takes the driver lease, resumes an unfinished run, and
// runs/skips/rolls back steps on the runner as the operator presses keys.
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import type { Driver } from '../cockpit/drive.ts';
import type { Live } from '../cockpit/setup.ts';
import type { Run } from '../runner/index.ts';
import type { LiveContext } from '../../checks/live.ts';

export const help = `Usage: cutover run RUNBOOK [--state DIR] [--take-over] [--accept-changed-runbook] [--interval SECONDS]

The cockpit: the four live panels (containers, Caddy upstreams, smoke, tokens), the runbook stepping one
step at a time and each step's output, in one screen. It takes the driver lease (others can follow with
\`cutover watch\`) and picks up an unfinished run where it stopped. A new run is recorded in the journal
when its first step runs (or is skipped): opening the cockpit only to look leaves no run behind.

  enter  run the next step (asks; destructive steps need y, irreversible ones the container name typed)
  s      skip the next step with a reason     d  diff / commands of the selected step
  o      full output of the selected step     r  rollback plan, then asks
  v      re-check the panels now              1–4 one panel full-size     ?  every key     q  quit
  w      a blocked stability gate: waive the window with a typed reason (journaled with who)
  a      the log review found something: acknowledge it (o shows the lines) and run the review again
All keys: docs/keys.md. Quitting keeps the run resumable: \`cutover run RUNBOOK\` again continues it.

Needs a terminal; without one use \`cutover apply RUNBOOK --yes\` (or \`cutover status RUNBOOK\` to look).

Options:
  --state DIR                state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --take-over                take over a stale driver lease (never a live one)
  --accept-changed-runbook   resume although the runbook changed since the run started
  --interval SECONDS         panel refresh interval (default 2)
  --help                     this text

Exit codes: 0 every step done (or the run rolled back), 1 quit before the end / a step failed / another
driver holds the lease, 2 bad input or no terminal.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'run',
    argv,
    { state: { type: 'string' }, 'take-over': { type: 'boolean' }, 'accept-changed-runbook': { type: 'boolean' }, interval: { type: 'string' } },
    { positionals: [1, 1] },
  );
  const file = positionals[0]!;
  // The first frame comes before anything slow: the screen is built from the validated runbook's plan, then
  // the journal and lease, the live adapters and the previews are opened and arrive as events.
  const { prepareCockpit } = await import('../cockpit/start.ts');
  const { mountCockpit, initialStore, intervalS, loaded } = await prepareCockpit('run', file, io, values.interval, 'run: ');
  await refuseHeldLease(loaded.runbook, values.state, io, Boolean(values['take-over']));
  const { currentHolder, describeHolder } = await import('../journal/holder.ts');
  const holder = currentHolder(io.env);
  const me = describeHolder({ user: holder.user, sshClient: holder.sshClient }); // the header names the user; runs record user@host
  const store = initialStore(loaded.runbook, loaded.steps, { readOnly: false, driver: me, lock: 'unknown', detail: 'opening journal…' });

  let runner: Run | null = null;
  let driver: Driver | null = null;
  let ticker: Live | null = null;
  let live: LiveContext | null = null;
  let close = () => {};
  store.onEffect((e) => {
    if (e.type === 'quit') close();
    else if (driver) driver.handle(e);
    else if (e.type !== 'recheck') store.dispatch({ type: 'message', text: 'the journal is still opening: press it again in a moment', level: 'warn' });
  });
  // Ctrl-C means quit: at once when idle, with the usual question while a step runs (a second Ctrl-C answers yes).
  const onInterrupt = () => {
    const o = store.getState().overlay;
    if (o?.kind === 'quit-confirm') return close();
    if (o) store.dispatch({ type: 'back' });
    if (driver?.busy()) store.dispatch({ type: 'quit' });
    else close();
  };
  // On a signal or a crash the process ends at once: release the lease (synchronously) so `cutover run` resumes without --take-over.
  const screen = mountCockpit(store, io, { onInterrupt, onAbandon: () => void runner?.close() });
  close = screen.close;
  const startedAt = Date.now();
  try {
    await new Promise((r) => setImmediate(r)); // the first frame is out
    const { openRun, RunnerInputError, WorldChangedError } = await import('../runner/index.ts');
    const { LockHeldError } = await import('../journal/lease.ts');
    const { RunbookChangedError } = await import('../journal/resume.ts');
    try {
      runner = await openRun({ runbookPath: file, ...(values.state ? { stateDir: values.state } : {}), env: io.env, takeOver: Boolean(values['take-over']), acceptChanged: Boolean(values['accept-changed-runbook']), mode: 'run', deferStart: true });
    } catch (err) {
      // Refused after the first frame: the screen goes first (below), then the same message and exit code as before.
      if (err instanceof RunnerInputError) throw new CliError(`run: ${err.message}`, 'bad-input');
      if (err instanceof LockHeldError) throw new CliError(`run: ${err.message}`, 'refused');
      if (err instanceof RunbookChangedError) throw new CliError(`run: ${err.message}`, 'bad-input');
      if (err instanceof WorldChangedError) throw new CliError(`run: ${err.message}`, 'failed');
      throw err;
    }
    const opened = runner;
    store.dispatch({ type: 'driver', name: me, lock: 'held' });
    const { createDriver, showJournal } = await import('../cockpit/drive.ts');
    const { addPreviews, startLive } = await import('../cockpit/setup.ts');
    const { liveContext } = await import('../cockpit/live.ts');
    showJournal(store, opened);
    live = liveContext(file, loaded, io.env, opened.stateDir);
    addPreviews(store, loaded.runbook, loaded.steps);
    const t = startLive(store, live, io.env, intervalS);
    ticker = t;
    const { windowPreflight } = await import('./preflight-gate.ts');
    const preflight = async () => {
      const gate = await windowPreflight(file, io.env, values.state);
      return (gate?.refusal ? gate.items.filter((x) => x.level === 'blocker') : []).map((x) => `${x.file ? `${x.file}${x.line ? `:${x.line}` : ''}: ` : ''}${x.message} — fix: ${x.fix}`);
    };
    driver = createDriver(store, opened, { recheck: () => t.panels.refreshNow(), preflight });
    await screen.closed;
  } catch (err) {
    screen.close();
    await screen.closed;
    await runner?.close();
    throw err;
  } finally {
    ticker?.stop();
    await live?.http.close();
  }
  if (!runner || !driver) return 'failed'; // unreachable: a failed open has thrown
  const state = store.getState();
  const done = state.steps.filter((s) => s.state === 'succeeded' || s.state === 'skipped').length;
  if (driver.busy()) {
    // Quit while a step runs: the journal has it as running, and the next `cutover run` re-checks it.
    io.stderr.write(`run: quit while a step was running; run #${runner.runId} stays resumable: cutover run ${file}\n`);
    // The step's child processes may keep the event loop busy; the process ends once main has returned.
    setTimeout(() => io.exit(1), 500).unref();
    return 'failed';
  }
  await runner.close();
  const undone = state.steps.filter((s) => s.state === 'rolled-back').length;
  if (undone) {
    // Rolled back is a state of its own: not "complete", and what runs now is the legacy path.
    io.stderr.write(`run: run #${runner.runId} rolled back (${undone} step(s) undone): the legacy path serves · next: cutover status ${file} · cutover report ${file}\n`);
    return 'ok';
  }
  if (driver.completed()) {
    io.stderr.write(`run: cutover complete (${done}/${state.steps.length} steps) in ${Math.round((Date.now() - startedAt) / 1000)} s · next: cutover verify ${file} · cutover report ${file}\n`);
    return 'ok';
  }
  if (runner.runId === 0) {
    // Opened to look: no step ran, so no run was recorded.
    io.stderr.write(`run: no step ran; no run recorded · cutover run ${file} drives it\n`);
    return 'failed';
  }
  const failed = state.steps.filter((s) => s.state === 'failed').map((s) => s.step.key);
  io.stderr.write(
    `run: stopped at ${done}/${state.steps.length} steps${failed.length ? `, failed: ${failed.join(', ')}` : ''}; run #${runner.runId} stays resumable: cutover run ${file}\n`,
  );
  return 'failed';
}

/**
 * A second driver is refused with its one line before any frame is drawn: when a journal exists, its lease
 * is read (read-only) first. A fresh state dir has no journal and so no lease: nothing is opened then.
 */
async function refuseHeldLease(runbook: Parameters<typeof import('../paths.ts').runbookStateDir>[0], state: string | undefined, io: CliIO, takeOver: boolean): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { runbookStateDir } = await import('../paths.ts');
  const { JOURNAL_FILE, openJournal } = await import('../journal/journal.ts');
  let stateDir: string;
  try {
    stateDir = runbookStateDir(runbook, io.env, state);
  } catch {
    return; // openRun reports it, with the screen's usual error path
  }
  if (!existsSync(join(stateDir, JOURNAL_FILE))) return;
  const { leaseRefusal } = await import('../journal/lease.ts');
  let refusal: Error | null = null;
  try {
    const journal = openJournal({ stateDir, env: io.env, readonly: true });
    try {
      refusal = leaseRefusal(journal, { takeOver });
    } finally {
      journal.close();
    }
  } catch {
    return; // an unreadable journal is openRun's to report
  }
  if (refusal) throw new CliError(`run: ${refusal.message}`, 'refused');
}
