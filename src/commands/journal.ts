// `cutover journal RUNBOOK`: the history of runs, and one run's steps with times, results and durations.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { STATE_GLYPH } from '../engine/types.ts';
import { acquireLease, currentHolder, describeHolder, JOURNAL_FILE, JournalMissingError, LockHeldError, openJournal, leaseHolder, type Journal, type RunRecord, type StepRecord } from '../journal/index.ts';
import { pruneBackups, runRetention, type RunBackups } from '../journal/retention.ts';
import { parseDuration } from '../engine/duration.ts';
import { stateDirFor } from '../journal/locate.ts';
import { runChanges } from '../journal/changes.ts';
import { CATALOG } from '../actions/index.ts';
import { humanBytes, humanDuration, utcTime } from '../report/format.ts';
import { rollbackRecordLines, rollbackRecords } from '../report/rollback-records.ts';
import { verificationsCommand, verificationsHelp } from './journal-verifications.ts';

export const help = `Usage: cutover journal RUNBOOK [--run ID | --verifications] [--json] [--state DIR]
       cutover journal RUNBOOK --prune [--older-than AGE] [--yes] [--json] [--state DIR]
       cutover journal RUNBOOK --abandon ID --reason "…" [--json] [--state DIR]

History of the runbook's runs (who, when, mode, outcome, outage, which steps changed the world — a run
that changed nothing is marked so and is never the one \`cutover rollback\` undoes — and the backups each
run keeps, with their retention), or with --run one run's steps with their times, results, attempts and
durations. Reads the journal only; never needs the driver lock (except --prune).

Backups (STATE/backups: archives, manifests, pre-change copies) are the only copies a run keeps: its
scratch copies under STATE/work are removed once their push is verified, and the run's work dir when it
ends. A run's backups are kept while it can still be rolled back (a run that changed the world and was
not rolled back, abandoned or decommissioned), while it is unfinished, and always for a decommission
(its archives are the only copy of what it deleted).

Options:
  --run ID           show one run's steps (default: the list of runs)
${verificationsHelp}
  --prune            remove the backups of runs that can no longer be rolled back (journaled first, with
                     the files); takes the driver lease. Without --yes it only lists what it would remove
  --older-than AGE   with --prune: only runs that ended longer ago than AGE (90s, 12h, 30d)
  --yes              with --prune: remove them
  --abandon ID       end run ID when it can neither be resumed nor rolled back on the world as it is (the
                     lab rebuilt, a container recreated: resume refuses and names what differs): its
                     outcome becomes abandoned, with who and --reason, it no longer blocks a new run
                     and is never the run \`cutover rollback\` picks; nothing in the world is touched.
                     Takes the driver lease (a stale one too) and releases it
  --reason "…"       with --abandon: why (required; journaled and shown in the report)
  --json         one JSON document on stdout
  --state DIR    the state directory holding journal.sqlite (default: the runbook's state_dir, or
                 \${XDG_STATE_HOME:-~/.local/state}/cutover/<runbook name>)

Exit codes: 0 ok, 1 another driver holds the lease (--prune), 2 no journal, unknown run or bad arguments.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'journal',
    argv,
    { json: { type: 'boolean' }, run: { type: 'string' }, state: { type: 'string' }, verifications: { type: 'boolean' }, prune: { type: 'boolean' }, 'older-than': { type: 'string' }, yes: { type: 'boolean' }, abandon: { type: 'string' }, reason: { type: 'string' } },
    { positionals: [1, 1] },
  );
  if (!values.prune && (values['older-than'] !== undefined || values.yes)) throw new CliError(`journal: ${values.yes ? '--yes' : '--older-than'} goes with --prune`, 'usage');
  if (values.reason !== undefined && values.abandon === undefined) throw new CliError('journal: --reason goes with --abandon ID', 'usage');
  if (values.abandon !== undefined) {
    if (values.prune) throw new CliError('journal: --abandon and --prune are separate commands', 'usage');
    return abandon(positionals[0]!, parseRunId(values.abandon), values, io);
  }
  if (values.prune) return prune(positionals[0]!, values, io);
  const journal = openForReading(positionals[0]!, values.state, io);
  try {
    if (values.verifications) return verificationsCommand(journal, Boolean(values.json), io);
    if (values.run === undefined) {
      const runs = journal.runs();
      const lease = leaseHolder(journal);
      const backups = runRetention(journal, dirname(journal.file), CATALOG, runs);
      if (values.json) io.stdout.write(JSON.stringify({ journal: journal.file, lease, runs: runs.map((r, i) => ({ ...summary(r), steps: stepCounts(journal, r.id), changed: runChanges(journal, r.id, CATALOG), backups: backups[i] })) }, null, 2) + '\n');
      else io.stdout.write(renderRuns(journal, runs, lease ? `driver: ${lease.user} (pid ${lease.pid} on ${lease.host}) since ${utcTime(lease.startedAt)}` : null, backups, positionals[0]!));
      return 'ok';
    }
    const id = parseRunId(values.run);
    const r = journal.run(id);
    if (!r) throw new CliError(`journal: no run ${id} in ${journal.file} (runs: ${journal.runs().map((x) => x.id).join(', ') || 'none'})`, 'bad-input');
    const steps = [...journal.stepStates(id).values()];
    const rollback = rollbackRecords(journal.events(id));
    if (values.json) io.stdout.write(JSON.stringify({ journal: journal.file, run: summary(r), steps, rollback }, null, 2) + '\n');
    else io.stdout.write(renderSteps(r, steps) + rollbackRecordLines(rollback).map((l) => `${l}\n`).join(''));
    return 'ok';
  } finally {
    journal.close();
  }
}

export function openForReading(runbookPath: string, state: string | undefined, io: CliIO): Journal {
  try {
    return openJournal({ stateDir: stateDirFor(runbookPath, { ...(state ? { state } : {}), env: io.env }), readonly: true });
  } catch (err) {
    throw new CliError((err as Error).message, 'bad-input');
  }
}

export function parseRunId(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`--run must be a run number (see cutover journal RUNBOOK), got "${text}"`, 'usage');
  return Number(text);
}

/** A run without its runbook text (large, and shown by resume as a diff instead). */
function summary(r: RunRecord): Omit<RunRecord, 'runbookText'> {
  const { runbookText: _text, ...rest } = r;
  return rest;
}

function stepCounts(j: Journal, runId: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of j.stepStates(runId).values()) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return counts;
}

/** `cutover journal RUNBOOK --abandon ID --reason "…"`: ends a run that the world no longer matches. */
function abandon(runbook: string, runId: number, values: { state?: string; json?: boolean; reason?: string }, io: CliIO): Outcome {
  const reason = values.reason?.trim();
  if (!reason) throw new CliError(`journal: --abandon ${runId} needs --reason "…" (why the run is ended; journaled with who)`, 'usage');
  return withLeasedJournal(runbook, values, io, { command: 'journal --abandon', takeOver: true }, (journal) => {
    const r = journal.run(runId);
    if (!r) throw new CliError(`journal: no run ${runId} in ${journal.file} (runs: ${journal.runs().map((x) => x.id).join(', ') || 'none'})`, 'bad-input');
    if (r.endedAt !== null && r.outcome !== 'failed') throw new CliError(`journal: run #${runId} already ended (${r.outcome}): nothing to abandon`, 'bad-input');
    journal.abandonRun(runId, reason);
    if (values.json) io.stdout.write(JSON.stringify({ journal: journal.file, run: summary(journal.run(runId)!), reason }, null, 2) + '\n');
    else io.stdout.write(`run #${runId} abandoned by ${describeHolder(currentHolder(io.env))}: ${reason}\nit counts as ended and the driver lease is released; nothing in the world was touched. Check it with cutover status ${runbook}; a new cutover apply ${runbook} can start.\n`);
    return 'ok';
  });
}

/** `cutover journal RUNBOOK --prune [--older-than AGE] [--yes]`: the backups of runs that can no longer be rolled back. */
function prune(runbook: string, values: { state?: string; json?: boolean; yes?: boolean; 'older-than'?: string }, io: CliIO): Outcome {
  let olderThanMs: number | undefined;
  try {
    olderThanMs = values['older-than'] === undefined ? undefined : parseDuration(values['older-than']);
  } catch (err) {
    throw new CliError(`journal: --older-than: ${(err as Error).message}`, 'usage');
  }
  return withLeasedJournal(runbook, values, io, { command: 'journal --prune', takeOver: false }, (journal, stateDir) => {
    const dryRun = !values.yes;
    const r = pruneBackups(journal, stateDir, CATALOG, { ...(olderThanMs !== undefined ? { olderThanMs } : {}), dryRun });
    if (values.json) {
      io.stdout.write(JSON.stringify({ journal: journal.file, dryRun, pruned: r.pruned, kept: r.kept }, null, 2) + '\n');
      return 'ok';
    }
    const lines = [`journal ${journal.file}`];
    if (!r.pruned.length) lines.push('nothing to prune');
    for (const b of r.pruned) lines.push(`#${b.runId}  ${dryRun ? 'would remove' : 'removed'} ${b.files.filter((f) => f.bytes !== null).length} backup file(s), ${humanBytes(b.bytes)} (${b.why})`);
    for (const b of r.kept) lines.push(`#${b.runId}  kept ${b.files.filter((f) => f.bytes !== null).length} backup file(s), ${humanBytes(b.bytes)}: ${b.why}`);
    if (dryRun && r.pruned.length) lines.push(`nothing removed yet: cutover journal ${runbook} --prune${values['older-than'] ? ` --older-than ${values['older-than']}` : ''} --yes removes them`);
    io.stdout.write(lines.join('\n') + '\n');
    return 'ok';
  });
}

/**
 * The runbook's journal opened for a change (--abandon, --prune) under the driver lease: a live driver refuses,
 * a stale lease is taken over only when `takeOver` (the abandoned run's dead driver).
 */
function withLeasedJournal(runbook: string, values: { state?: string }, io: CliIO, o: { command: string; takeOver: boolean }, work: (journal: Journal, stateDir: string) => Outcome): Outcome {
  let stateDir: string;
  try {
    stateDir = stateDirFor(runbook, { ...(values.state ? { state: values.state } : {}), env: io.env });
  } catch (err) {
    throw new CliError((err as Error).message, 'bad-input');
  }
  if (!existsSync(join(stateDir, JOURNAL_FILE))) throw new CliError(new JournalMissingError(join(stateDir, JOURNAL_FILE)).message, 'bad-input');
  const journal = openJournal({ stateDir, env: io.env });
  try {
    let lease;
    try {
      lease = acquireLease(journal, { heartbeatMs: 0, ...(o.takeOver ? { takeOver: true } : {}) });
    } catch (err) {
      if (err instanceof LockHeldError) throw new CliError(`${o.command}: ${err.message}`, 'refused');
      throw err;
    }
    try {
      return work(journal, stateDir);
    } finally {
      lease.release();
    }
  } finally {
    journal.close();
  }
}

function backupsLine(b: RunBackups | undefined, runbook: string): string | null {
  if (!b || (b.retention === 'none' && b.why === 'no backups')) return null;
  if (b.retention === 'none') return 'backups: pruned';
  const n = b.files.filter((f) => f.bytes !== null).length;
  const head = `backups: ${n} file(s), ${humanBytes(b.bytes)}`;
  return b.retention === 'kept' ? `${head}, kept: ${b.why}` : `${head}, prunable (${b.why}): cutover journal ${runbook} --prune --yes`;
}

function renderRuns(j: Journal, runs: RunRecord[], lease: string | null, backups: RunBackups[], runbook: string): string {
  const lines = [`journal ${j.file}`, lease ?? 'driver: none', ''];
  if (!runs.length) lines.push('no runs yet');
  for (const r of runs) {
    const counts = Object.entries(stepCounts(j, r.id)).map(([k, n]) => `${n} ${k}`).join(', ');
    const took = r.endedAt ? humanDuration(r.endedAt - r.startedAt) : 'not finished';
    const outage = r.outage.ms !== null ? `, outage ${humanDuration(r.outage.ms)}` : '';
    lines.push(`#${r.id}  ${r.mode.padEnd(12)} ${utcTime(r.startedAt)}  ${(r.outcome ?? 'unfinished').padEnd(11)} ${took}${outage}  by ${r.operator}`);
    if (counts) lines.push(`     steps: ${counts}`);
    lines.push(`     ${changesLine(j, r)}`);
    const back = rolledBackLine(r, [...j.stepStates(r.id).values()]);
    if (back) lines.push(`     ${back}`);
    const b = backupsLine(backups.find((x) => x.runId === r.id), runbook);
    if (b) lines.push(`     ${b}`);
  }
  return lines.join('\n') + '\n';
}

/** Which run changed what: rollback undoes the newest run that changed something; the others only looked. */
function changesLine(j: Journal, r: RunRecord): string {
  const changes = runChanges(j, r.id, CATALOG);
  if (!changes.length) return r.mode === 'apply' || r.mode === 'run' ? 'changed nothing (never a rollback target)' : 'changed nothing';
  const shown = changes.slice(0, 6).map((c) => `${c.key}${c.state === 'succeeded' ? '' : ` (${c.state})`}`).join(', ');
  return `changed ${changes.length} step(s): ${shown}${changes.length > 6 ? `, … ${changes.length - 6} more` : ''}`;
}

/** A rolled-back run, in words: what runs now (the legacy path), what was undone, what was kept. */
export function rolledBackLine(r: RunRecord, steps: StepRecord[]): string | null {
  const undone = steps.filter((s) => s.state === 'rolled-back');
  if (r.outcome !== 'rolled-back' && !(undone.length && !steps.some((s) => s.state === 'running'))) return null;
  const kept = steps.filter((s) => s.state === 'succeeded').map((s) => s.key);
  const list = (keys: string[]) => (keys.length > 6 ? `${keys.slice(0, 6).join(', ')}, … ${keys.length - 6} more` : keys.join(', '));
  return `rolled back: the legacy path runs now; undone ${undone.length} step(s)${undone.length ? ` (${list(undone.map((s) => s.key))})` : ''}; kept ${kept.length ? `${kept.length} step(s) (${list(kept)})` : 'nothing'}`;
}

function renderSteps(r: RunRecord, steps: StepRecord[]): string {
  const back = rolledBackLine(r, steps);
  const lines = [`run #${r.id} ${r.mode} of ${r.runbookName} on ${r.host} by ${r.operator}: ${r.outcome ?? 'unfinished'}`, ...(back ? [back] : []), `started ${utcTime(r.startedAt)}${r.endedAt ? `, ended ${utcTime(r.endedAt)}` : ''}`];
  if (r.outage.startedAt !== null) lines.push(`outage ${r.outage.ms !== null ? humanDuration(r.outage.ms) : 'open'} from ${utcTime(r.outage.startedAt)}${r.clientOutage ? `; clients saw ${humanDuration(r.clientOutage.ms)}` : ''}`);
  lines.push('');
  const width = Math.max(4, ...steps.map((s) => s.key.length));
  for (const s of steps) {
    const when = s.startedAt !== null ? new Date(s.startedAt).toISOString().slice(11, 19) : '--:--:--';
    const took = s.durationMs !== null ? humanDuration(s.durationMs) : s.state === 'running' ? 'running (interrupted?)' : '';
    const extra = [s.attempts > 1 ? `${s.attempts} attempts` : '', s.exitCode !== null && s.exitCode !== 0 ? `exit ${s.exitCode}` : '', s.error ?? '', s.backupPath ? `backup ${s.backupPath}` : ''].filter(Boolean).join('; ');
    lines.push(`${STATE_GLYPH[s.state]} ${s.key.padEnd(width)}  ${s.state.padEnd(11)} ${when}  ${took.padEnd(10)} ${extra}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}
