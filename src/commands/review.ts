// `cutover review RUNBOOK`: the log review of the decommission, without running it: the new container's
// daemon logs since the cutover ended, summarised (restarts, panics, per-identity errors, per day) with
// the matching lines, and where the stability window stands.
import { CATALOG } from '../actions/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, type CliIO } from '../contract/io.ts';
import { verdictOutcome, type Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { systemClock } from '../ports.ts';
import { openJournal, JOURNAL_FILE, type Journal } from '../journal/index.ts';
import { findCutoverEnd, parseCutoverAt, verificationHistoryOf } from '../actions/decommission-inputs.ts';
import { historyBesideLogs } from './journal-verifications.ts';
import { humanLeft, isoMinute } from '../actions/stability.ts';
import { parseDuration } from '../engine/duration.ts';
import { reviewLogs, type LogReview, type LogSourceDecl } from '../../checks/logs.ts';
import { renderSummary } from '../../checks/logs-summary.ts';
import { openLive } from '../../checks/live.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const help = `Usage: cutover review RUNBOOK [--json] [--cutover-at TIME] [--state DIR]

The log review of a decommission runbook (its logs.review steps), without running anything: collects the
new container's daemon logs through the runtime from the declared sources (log file, OpenRC, journalctl,
incus info --show-log) for the stability window — from the recorded end of the cutover (the journal of
the runbook named by gate.stability's \`since\`) until now — and shows:
  unexpected restarts (a start without a clean stop before it), panics/crashes, error lines per identity
  (by slug), counts per day, then the matching lines; and when the stability window opens. Beside them,
  the verification history since the cutover ended (cutover verify --every): runs, coverage, red periods,
  and one cell per run per identity (✓ green, ✗ red, ? cannot check).

Options:
  --json              one JSON document on stdout: {ok, window, stability, reviews:[{container, sources,
                      summary}], verifications}
  --cutover-at TIME   when the cutover ended, if it was done by hand (e.g. 2026-05-10T00:45Z, UTC)
  --state DIR         state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --help              this text

Exit codes: 0 logs clean, 1 something to acknowledge (restarts, panics or errors), 2 no log could be read,
no logs.review step, or bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('review', argv, { json: { type: 'boolean' }, 'cutover-at': { type: 'string' }, state: { type: 'string' } }, { positionals: [1, 1] });
  let cutoverAt: number | undefined;
  try {
    cutoverAt = values['cutover-at'] === undefined ? undefined : parseCutoverAt(values['cutover-at']);
  } catch (err) {
    throw new CliError(`review: ${(err as Error).message}`, 'bad-input');
  }
  const live = await openLive(positionals[0]!, io, values.state, CATALOG);
  const journalFile = join(live.stateDir, JOURNAL_FILE);
  let journal: Journal | null = null;
  try {
    const steps = live.steps.filter((s) => s.action === 'logs.review');
    if (!steps.length) throw new CliError(`review: ${live.file} has no logs.review step to take the container and log sources from`, 'bad-input');
    const gate = live.steps.find((s) => s.action === 'gate.stability');
    const since = typeof gate?.params.since === 'string' ? gate.params.since : undefined;
    const window = typeof gate?.params.window === 'string' ? gate.params.window : '7d';
    journal = existsSync(journalFile) ? openJournal({ stateDir: live.stateDir, readonly: true }) : null;
    const end = findCutoverEnd({ journal, self: live.runbook.runbook.name, env: io.env, cutoverAt }, since);
    const now = systemClock.now();
    const identities = live.runbook.identities.map((i) => i.slug);

    const reviews: LogReview[] = [];
    for (const s of steps) {
      const container = String(s.params.container);
      reviews.push(await reviewLogs(live.runtime, container, s.params.sources as LogSourceDecl[], { from: end?.at ?? null, to: now, identities, shownAs: instanceRef(live.runbook, container) }));
    }
    const history = end ? verificationHistoryOf({ journal, self: live.runbook.runbook.name, env: io.env }, since, end.at, now) : null;
    const unreadable = reviews.filter((r) => !r.sources.some((x) => x.ok));
    const clean = reviews.every((r) => r.summary.clean);
    const ok = unreadable.length ? null : clean;
    const earliest = end ? end.at + parseDuration(window) : null;
    const stability = { window, since: since ?? null, cutoverEnd: end?.at ?? null, cutoverEndSource: end?.source ?? null, earliest, open: earliest !== null && now >= earliest, leftMs: earliest === null ? null : Math.max(0, earliest - now) };

    if (values.json) {
      io.stdout.write(JSON.stringify({ ok, runbook: live.runbook.runbook.name, window: { from: end?.at ?? null, to: now }, stability, reviews, verifications: history }, null, 2) + '\n');
    } else {
      const lines = [`review ${live.runbook.runbook.name}: ${ok === true ? '✓ logs clean' : ok === false ? '✗ something to acknowledge' : '? cannot review'}`];
      lines.push(
        !end
          ? `stability window ${window}: no recorded end of the cutover${since ? ` (${since})` : ''}; reviewing the whole log (--cutover-at TIME if it was done by hand)`
          : stability.open
            ? `stability window ${window} since ${isoMinute(end.at)} (${end.source}): open since ${isoMinute(earliest!)}`
            : `stability window ${window} since ${isoMinute(end.at)} (${end.source}): opens ${isoMinute(earliest!)}, ${humanLeft(stability.leftMs!)} left`,
      );
      for (const r of reviews) {
        lines.push('', `${r.container}:`);
        for (const s of r.sources) lines.push(`  ${s.ok ? '✓' : '✗'} ${s.source}: ${s.lines} line(s)${s.note ? ` (${s.note})` : ''}`);
        lines.push(...renderSummary(r.summary).map((l) => `  ${l}`));
      }
      lines.push('', ...historyBesideLogs(history, Math.min(io.stdout.columns ?? 100, 160)));
      io.stdout.write(lines.join('\n') + '\n');
    }
    if (unreadable.length) io.stderr.write(`review: no log source of ${unreadable.map((r) => r.container).join(', ')} could be read\n`);
    return verdictOutcome(ok);
  } finally {
    journal?.close();
    await live.http.close();
  }
}
