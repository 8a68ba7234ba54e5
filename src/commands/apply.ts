// cutover apply RUNBOOK --yes: the non-interactive driver. Runs the plan in order through the runner, stops
// at the first failed step, and rolls back on its own when the failure left the service down.
import { dirname } from 'node:path';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { loadRunbook } from '../runbook/load.ts';
import { CATALOG } from '../actions/index.ts';
import { stateOf } from '../engine/transitions.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { formatClock } from '../engine/duration.ts';
import { humanDuration, latency } from '../report/format.ts';
import { destructiveSteps, planRange } from '../runner/policy.ts';
import type { Run, StepOutcome } from '../runner/index.ts';
import { driveRange, type DriveEnd } from '../runner/drive.ts';
import type { ClientOutage } from '../journal/types.ts';
import { drivingOptions, openForDriving, progressHooks } from './drive.ts';
import type { DecommissionFlags } from '../runner/types.ts';
import { incompleteReasons, newWritesLines, proofLines } from '../engine/rollback.ts';
import { parseCutoverAt } from '../actions/decommission-inputs.ts';
import { otherSitesNote, windowPreflight } from './preflight-gate.ts';

export const help = `Usage: cutover apply RUNBOOK --yes [--from STEP] [--through STEP] [--allow-destructive]
                     [--state DIR] [--take-over] [--accept-changed-runbook] [--no-rollback] [--json] [--verbose]

Runs the runbook's steps in order, non-interactively, as the driver (one driver per runbook at a time).
Every transition, command, output (secrets scrubbed), change and backup path goes to the journal, so
\`cutover journal\`, \`cutover report\` and \`cutover rollback\` know exactly what was done.

Stops at the first failed step. When that failure comes after the outage window opened (the legacy
daemons are down), apply runs the rollback plan at once so every identity is served again (unless
--no-rollback). An interrupted run (kill -9, lost SSH session) is resumed by running apply again: the
step that was running is re-checked first, done steps never run twice.

Options:
  --yes                     required: apply changes live systems (preview with cutover plan RUNBOOK)
  --allow-destructive       required when the range holds destructive steps (they are named otherwise)
  --from STEP               start at STEP (id or key); earlier pending steps are journaled as skipped
  --through STEP            stop after STEP (id: its last expansion); the run stays open to resume
  --state DIR               state directory (journal, baseline, backups; default: runbook.state_dir or
                            \${XDG_STATE_HOME:-~/.local/state}/cutover/<name>)
  --take-over               take over the lease of a driver that died (stale: pid gone / no heartbeat)
  --accept-changed-runbook  resume although the runbook changed since the run started (diff shown)
  --no-rollback             after a failure inside the outage window, leave everything as it is
  --json                    one JSON document on stdout {ok, runId, resumed, steps, outage, rollback};
                            progress goes to stderr
  --verbose                 also print each command and its output lines
  --waive-window            decommission: pass the stability gate before cutover end + window; needs
  --reason "…"              the operator's reason (the waiver, who and why, goes to the journal and report)
  --cutover-at TIME         decommission: when the cutover ended, if it was done by hand (2026-05-10T00:45Z)
  --acknowledge-logs        decommission: go on although the log review found restarts, panics or errors
                            (read them first: cutover review RUNBOOK)
  --help                    this text

When the journal cannot be written (state dir full, I/O error), apply starts no further step and goes on
from memory: inside the outage window it rolls back at once so every identity is served again, and prints
the exact commands for anything it could not undo; before the window it stops (nothing is down). Either
way it exits 1 and releases the driver lease (from the journal's reserve, else by a marker file next to it).

In the rehearsal lab (CUTOVER_LAB_DIR) the outage the devices saw is measured from their timeline.

Before the first step of a new run, the preflight of cutover plan runs; while a blocker stands apply
refuses before anything changes (exit 1 for a problem in the world, 2 for one in the runbook).

Exit codes: 0 all steps in the range done, 1 a step failed (the system left as the auto-revert or the
rollback left it), the journal could not be written, another driver holds the lease, or a preflight blocker
in the world stands, 2 bad input (no --yes, destructive steps without --allow-destructive, a changed runbook,
a preflight blocker in the runbook).
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'apply',
    argv,
    {
      yes: { type: 'boolean' },
      'allow-destructive': { type: 'boolean' },
      from: { type: 'string' },
      through: { type: 'string' },
      state: { type: 'string' },
      'take-over': { type: 'boolean' },
      'accept-changed-runbook': { type: 'boolean' },
      'no-rollback': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'waive-window': { type: 'boolean' },
      reason: { type: 'string' },
      'cutover-at': { type: 'string' },
      'acknowledge-logs': { type: 'boolean' },
    },
    { positionals: [1, 1] },
  );
  const decommission = decommissionFlags(values);
  const file = positionals[0]!;
  const range = preflight(file, io, values);
  const human = values.json ? io.stderr : io.stdout;
  // Everything visible before the outage is checked before the first step of a new run (not on a resume:
  // the window may already be open). A blocker refuses here: nothing stopped, nothing written.
  const gate = await windowPreflight(file, io.env, values.state, { from: values.from, through: values.through });
  if (gate) {
    human.write(gate.report);
    if (gate.refusal) throw new CliError(gate.refusal.message, gate.refusal.outcome);
  }

  const run = await openForDriving({ ...drivingOptions(file, io.env, values), mode: 'apply', decommission });
  try {
    human.write(`apply ${run.runbook.runbook.name} on ${run.runbook.runbook.host}: run #${run.runId}, journal ${run.journal.file}\n`);
    if (gate) run.journal.addNote(run.runId, otherSitesNote(gate.otherSites));
    if (run.resumed) {
      const r = run.resumed;
      human.write(`resuming run #${run.runId}: ${r.done.length} step(s) done${r.interrupted ? `; ${r.interruptedAll.length > 1 ? `${r.interruptedAll.join(', ')} were` : `${r.interrupted} was`} running when the driver died: re-checking ${r.interruptedAll.length > 1 ? 'them' : 'it'} first` : ''}; continuing at ${r.next ?? '(nothing left)'}\n`);
    }
    const hooks = progressHooks(run, human, { verbose: Boolean(values.verbose), yes: true });
    run.journal.onStorageFailure = (err) => human.write(`\n✗ JOURNAL WRITE FAILED (${err.message}): ${run.journal.file} cannot take more; going on from memory (what happens is printed here)\n`);
    const { end, outcomes } = await driveRange(run, {
      range,
      from: values.from,
      noRollback: Boolean(values['no-rollback']),
      hooks,
      beforeRollback: (why, failed) =>
        human.write(
          why === 'step-failed'
            ? `\n✗ ${failed?.key} failed inside the outage window: rolling back so every identity is served again\n`
            : `\n✗ the journal cannot be written inside the outage window${failed ? ` (and ${failed.key} failed)` : ''}: rolling back from memory so every identity is served again\n`,
        ),
    });
    if (end.kind === 'blocked') throw new CliError(`apply: ${end.reason}`, 'refused');
    if (end.kind === 'not-run') {
      human.write(`\n✗ ${end.outcome.summary}; run #${run.runId} stays open, nothing else ran\n`);
      return 'failed';
    }
    if (end.kind === 'journal-failed') human.write(journalFailureText(end, outcomes.at(-1), { dir: dirname(run.journal.file), file, manualUndo: (keys) => run.manualUndo(keys) }));
    if (end.kind === 'failed') {
      if (end.rollback) {
        const nw = end.rollback.newWrites;
        if (nw) human.write(['new writes in the target since the copy (carried back):', ...newWritesLines(nw).map((l) => `    ${l}`), ...nw.copyBack.map((c) => `${c.ok ? '✓' : '✗'} copy-back of ${c.identity}: ${c.summary}`), ''].join('\n'));
        human.write([...proofLines(end.rollback.proofs), ''].join('\n'));
        human.write(end.rollback.ok ? '↺ rolled back; the legacy path is proven (local probes, public probes, live dials = the original)\n' : `✗ ROLLBACK INCOMPLETE: ${incompleteReasons(end.rollback).join('; ')}; cutover journal / cutover report for what is left\n`);
      } else {
        human.write(`\n✗ ${end.failed.key} failed${end.down ? ' (--no-rollback: left as it is; cutover rollback RUNBOOK undoes what was done)' : ' before the outage window: nothing is down'}\n`);
      }
    }
    if (end.kind === 'done') {
      const snap = await run.recordSnapshot().catch((err: Error) => {
        human.write(`(could not take the closing snapshot for the report: ${err.message})\n`);
        return null;
      });
      if (snap) human.write(`closing snapshot journaled for the report: ${snap.ok === true ? 'all green' : snap.ok === false ? 'SOMETHING IS RED (cutover status RUNBOOK)' : 'could not check everything'}\n`);
    }
    const rollback = end.kind === 'failed' || end.kind === 'journal-failed' ? end.rollback : null;
    const client = run.measureClientOutage();
    const outage = outageSummary(run, client);
    human.write(outage.lines.map((l) => l + '\n').join(''));
    if (end.kind === 'through') human.write(`stopped after ${end.lastKey} (--through); run #${run.runId} stays open: cutover apply ${file} --yes continues it\n`);
    const ok = end.kind === 'done' || end.kind === 'through';
    if (values.json) {
      const states = run.states();
      io.stdout.write(
        JSON.stringify(
          {
            ok,
            runId: run.runId,
            journal: run.journal.file,
            resumed: run.resumed,
            outcome: run.record().outcome,
            steps: run.plan.map((s) => ({ key: s.key, state: stateOf(states, s.key), ...pick(outcomes.find((o) => o.key === s.key)) })),
            outage: outage.doc,
            rollback,
          },
          null,
          2,
        ) + '\n',
      );
    }
    return ok ? 'ok' : 'failed';
  } finally {
    await run.close();
    for (const n of run.closeNotes) human.write(`   ${n}\n`);
  }
}

/**
 * The journal cannot be written (disk full, I/O error): what the runner did about it (rolled back from memory
 * inside the outage window, stopped outside it), and for anything the rollback could not undo the exact commands
 * to type. Either way apply exits 1 and close() releases the lease.
 */
export function journalFailureText(
  end: Extract<DriveEnd, { kind: 'journal-failed' }>,
  last: StepOutcome | undefined,
  o: { dir: string; file: string; manualUndo: Run['manualUndo'] },
): string {
  const { dir, file } = o;
  const out: string[] = [];
  if (last?.notRun) out.push(`✗ ${last.key}: ${last.summary}`);
  // The step that ran as the journal broke failed too: say which and why (its record may not be on disk).
  if (end.failed) out.push(`✗ ${end.failed.key} failed as the journal broke: ${(end.failed.error ?? end.failed.summary).split('\n')[0]}`);
  if (!end.rollback) {
    out.push(
      end.down
        ? `\n✗ stopped: the journal cannot be written; --no-rollback leaves the outage as it is${end.failed ? ` and ${end.failed.key} failed` : ''}. When there is room (df -h ${dir}): cutover rollback ${file} --yes`
        : `\n✗ stopped: the journal cannot be written, ${end.windowOpened ? 'after the outage window closed: every identity is served by the new path' : 'before the outage window: nothing is down'}. Free space in ${dir} (df -h ${dir}; cutover journal ${file} --prune), then cutover apply ${file} --yes continues`,
    );
    return out.map((l) => l + '\n').join('');
  }
  const left = end.rollback.entries.filter((e) => !e.ok);
  if (end.rollback.ok) {
    out.push(`↺ rolled back from memory; the legacy path is proven (local probes, public probes, live dials = the original). Free space in ${dir} (df -h ${dir}) before the next attempt`);
    return out.map((l) => l + '\n').join('');
  }
  out.push(`✗ ROLLBACK INCOMPLETE: ${incompleteReasons(end.rollback).join('; ')}.${left.length ? ' Do these by hand, in this order:' : ''}`);
  for (const p of o.manualUndo(left.map((e) => e.key))) for (const c of p.commands) out.push(`   ${c}    # ${p.key}`);
  if (end.rollback.proofs.some((p) => p.ok === false)) out.push(`   then check every identity on the legacy path: cutover verify ${file}`);
  return out.map((l) => l + '\n').join('');
}

/** Decommission flags (issue 9): the waiver needs its reason; --cutover-at when the cutover was done by hand. */
function decommissionFlags(values: { 'waive-window'?: boolean; reason?: string; 'cutover-at'?: string; 'acknowledge-logs'?: boolean }): DecommissionFlags {
  if (values['waive-window'] && !values.reason?.trim()) throw new CliError('apply: --waive-window needs --reason "…" (recorded in the journal and the report)', 'usage');
  if (values.reason !== undefined && !values['waive-window']) throw new CliError('apply: --reason goes with --waive-window', 'usage');
  let cutoverAt: number | undefined;
  try {
    cutoverAt = values['cutover-at'] === undefined ? undefined : parseCutoverAt(values['cutover-at']);
  } catch (err) {
    throw new CliError(`apply: ${(err as Error).message}`, 'bad-input');
  }
  return {
    ...(values['waive-window'] ? { waiver: { reason: values.reason!.trim() } } : {}),
    ...(cutoverAt !== undefined ? { cutoverAt } : {}),
    acknowledgeLogs: Boolean(values['acknowledge-logs']),
  };
}

type Values = { yes?: boolean; 'allow-destructive'?: boolean; from?: string; through?: string };

/** The refusals that need no lock: --yes, the range, destructive steps in it. Returns the range. */
function preflight(file: string, io: CliIO, values: Values): ResolvedStep[] {
  const loaded = loadRunbook(file, { catalog: CATALOG, env: io.env });
  if (!loaded.steps) throw new CliError(`${file} is not a valid runbook (cutover validate ${file} lists the problems)`, 'bad-input');
  let range: ResolvedStep[];
  try {
    range = planRange(loaded.steps, values.from, values.through);
  } catch (err) {
    throw new CliError(`apply: ${(err as Error).message}`, 'bad-input');
  }
  if (!values.yes) throw new CliError(`apply changes live systems and asks nothing: refusing without --yes (preview it with cutover plan ${file}; drive it step by step with cutover run ${file})`, 'usage');
  const destructive = destructiveSteps(range);
  if (destructive.length && !values['allow-destructive']) {
    const names = destructive.map((s) => `  ${s.index}. ${s.key}: ${s.title}${s.irreversible ? ' (IRREVERSIBLE)' : ''}`).join('\n');
    throw new CliError(`apply: refusing ${destructive.length} destructive step(s) without --allow-destructive:\n${names}`, 'usage');
  }
  return range;
}

function pick(o: StepOutcome | undefined) {
  return o ? { summary: o.summary, durationMs: o.durationMs, ...(o.error ? { error: o.error } : {}), ...(o.backupPath ? { backupPath: o.backupPath } : {}) } : {};
}

function outageSummary(run: Run, client: ClientOutage | null) {
  const rec = run.record();
  const clock = run.outage();
  const stepsMs = rec.outage.ms ?? (rec.outage.startedAt !== null ? clock.elapsedMs : null);
  const lines: string[] = [''];
  if (rec.outage.startedAt === null) lines.push('outage: the window never opened (no step marked outage = "opens" ran)');
  else lines.push(`outage (from the steps): ${stepsMs !== null ? `${formatClock(stepsMs)} (${humanDuration(stepsMs)})` : 'open'}${rec.outage.endedAt === null ? ' — still open' : rec.outcome === 'rolled-back' ? ' — ended by the rollback' : ''} of budget ${run.runbook.runbook.outage_budget}`);
  if (client) {
    const per = Object.entries(client.perIdentity ?? {}).map(([id, ms]) => `${id} ${humanDuration(ms)}`).join(', ');
    lines.push(`outage seen by clients (${client.source}): ${humanDuration(client.ms)}${per ? ` (longest gap per identity: ${per})` : ''}`);
    if (client.requests !== undefined) lines.push(`client requests during the run: ${client.requests}, failed ${client.failed ?? 0}; longest ${latency(client.longestMs ?? 0)}${client.addedMs != null ? ` (${latency(client.addedMs)} more than the usual ${latency(client.usualMs ?? 0)})` : ''}`);
  }
  return { lines, doc: { stepsMs, startedAt: rec.outage.startedAt, endedAt: rec.outage.endedAt, budget: run.runbook.runbook.outage_budget, client } };
}
