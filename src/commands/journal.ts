// `cutover journal RUNBOOK`: the history of runs, and one run's steps with times, results and durations.
import { CliError, type CliIO } from '../contract/io.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { STATE_GLYPH } from '../engine/types.ts';
import { openJournal, leaseHolder, type Journal, type RunRecord, type StepRecord } from '../journal/index.ts';
import { stateDirFor } from '../journal/locate.ts';
import { runChanges } from '../journal/changes.ts';
import { humanDuration, utcTime } from '../report/format.ts';
import { verificationsCommand, verificationsHelp } from './journal-verifications.ts';

export const help = `Usage: cutover journal RUNBOOK [--run ID | --verifications] [--json] [--state DIR]

History of the runbook's runs (who, when, mode, outcome, outage, which steps changed the world — a run
that changed nothing is marked so and is never the one \`cutover rollback\` undoes), or with --run one run's steps with
their times, results, attempts and durations. Reads the journal only; never needs the driver lock.

Options:
  --run ID       show one run's steps (default: the list of runs)
${verificationsHelp}
  --json         one JSON document on stdout
  --state DIR    the state directory holding journal.sqlite (default: the runbook's state_dir, or
                 \${XDG_STATE_HOME:-~/.local/state}/cutover/<runbook name>)

Exit codes: 0 ok, 2 no journal, unknown run or bad arguments.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('journal', argv, { json: { type: 'boolean' }, run: { type: 'string' }, state: { type: 'string' }, verifications: { type: 'boolean' } }, { positionals: [1, 1] });
  const journal = openForReading(positionals[0]!, values.state, io);
  try {
    if (values.verifications) return verificationsCommand(journal, Boolean(values.json), io);
    if (values.run === undefined) {
      const runs = journal.runs();
      const lease = leaseHolder(journal);
      if (values.json) io.stdout.write(JSON.stringify({ journal: journal.file, lease, runs: runs.map((r) => ({ ...summary(r), steps: stepCounts(journal, r.id), changed: runChanges(journal, r.id) })) }, null, 2) + '\n');
      else io.stdout.write(renderRuns(journal, runs, lease ? `driver: ${lease.user} (pid ${lease.pid} on ${lease.host}) since ${utcTime(lease.startedAt)}` : null));
      return 0;
    }
    const id = parseRunId(values.run);
    const r = journal.run(id);
    if (!r) throw new CliError(`journal: no run ${id} in ${journal.file} (runs: ${journal.runs().map((x) => x.id).join(', ') || 'none'})`, 2);
    const steps = [...journal.stepStates(id).values()];
    if (values.json) io.stdout.write(JSON.stringify({ journal: journal.file, run: summary(r), steps }, null, 2) + '\n');
    else io.stdout.write(renderSteps(r, steps));
    return 0;
  } finally {
    journal.close();
  }
}

export function openForReading(runbookPath: string, state: string | undefined, io: CliIO): Journal {
  try {
    return openJournal({ stateDir: stateDirFor(runbookPath, { ...(state ? { state } : {}), env: io.env }), readonly: true });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

export function parseRunId(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`--run must be a run number (see cutover journal RUNBOOK), got "${text}"`, 2);
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

function renderRuns(j: Journal, runs: RunRecord[], lease: string | null): string {
  const lines = [`journal ${j.file}`, lease ?? 'driver: none', ''];
  if (!runs.length) lines.push('no runs yet');
  for (const r of runs) {
    const counts = Object.entries(stepCounts(j, r.id)).map(([k, n]) => `${n} ${k}`).join(', ');
    const took = r.endedAt ? humanDuration(r.endedAt - r.startedAt) : 'not finished';
    const outage = r.outage.ms !== null ? `, outage ${humanDuration(r.outage.ms)}` : '';
    lines.push(`#${r.id}  ${r.mode.padEnd(12)} ${utcTime(r.startedAt)}  ${(r.outcome ?? 'unfinished').padEnd(11)} ${took}${outage}  by ${r.operator}`);
    if (counts) lines.push(`     steps: ${counts}`);
    lines.push(`     ${changesLine(j, r)}`);
  }
  return lines.join('\n') + '\n';
}

/** Which run changed what: rollback undoes the newest run that changed something; the others only looked. */
function changesLine(j: Journal, r: RunRecord): string {
  const changes = runChanges(j, r.id);
  if (!changes.length) return r.mode === 'apply' || r.mode === 'run' ? 'changed nothing (never a rollback target)' : 'changed nothing';
  const shown = changes.slice(0, 6).map((c) => `${c.key}${c.state === 'succeeded' ? '' : ` (${c.state})`}`).join(', ');
  return `changed ${changes.length} step(s): ${shown}${changes.length > 6 ? `, … ${changes.length - 6} more` : ''}`;
}

function renderSteps(r: RunRecord, steps: StepRecord[]): string {
  const lines = [`run #${r.id} ${r.mode} of ${r.runbookName} on ${r.host} by ${r.operator}: ${r.outcome ?? 'unfinished'}`, `started ${utcTime(r.startedAt)}${r.endedAt ? `, ended ${utcTime(r.endedAt)}` : ''}`];
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
