// `cutover journal RUNBOOK --verifications`: the verification history (scheduled `cutover verify` runs) as a
// timeline over the stability window: runs, coverage, green share, red periods, "cannot check" spans,
// latency percentiles per identity, token last-seen per device, daemon restarts from the log review.
import type { CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import type { Journal } from '../journal/index.ts';
import { loadHistory, type VerificationHistory } from '../actions/decommission-inputs.ts';
import { humanDuration, utcTime } from '../report/format.ts';
import { CELL_GLYPH, describeRedPeriod, historyLine, renderStrips, type HistorySummary } from '../../checks/history.ts';

export const verificationsHelp = `  --verifications  the verification history (recorded by scheduled cutover verify runs) since the cutover ended:
                   runs, coverage of the window, green share, red periods (first seen, last seen,
                   identity/check, what it said), "cannot check" spans, latency percentiles per
                   identity, token last-seen per device, daemon restarts seen by the log review; with
                   --json one document {runbook, window, counts, coverage, green_share, red_periods,
                   cannot_check, latency, tokens, restarts, strips, runs}`;

export function historyDocument(h: VerificationHistory): Record<string, unknown> {
  const s = h.summary;
  return {
    runbook: h.runbook,
    window: h.window,
    counts: s.runs,
    coverage: s.coverage,
    green_share: s.greenShare,
    red_periods: s.redPeriods,
    cannot_check: s.cannotCheck,
    latency: s.latency,
    tokens: s.tokens,
    restarts: { reviewed: s.logsReviewed, seen: s.restarts },
    strips: s.strips.map((r) => ({ identity: r.identity, cells: r.cells.map((c) => CELL_GLYPH[c.cell]).join('') })),
    runs: h.runs,
  };
}

const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19) + 'Z';

export function renderHistory(h: VerificationHistory, width = 100): string[] {
  const s = h.summary;
  const lines = [`verifications of ${h.runbook ?? '(none recorded)'} from ${utcTime(h.window.from)} (${h.window.source}) to ${utcTime(h.window.to)}, ${humanDuration(h.window.to - h.window.from)}`];
  lines.push(historyLine(s));
  if (!s.runs.total) return lines;
  const gaps = s.coverage.gaps.filter((g) => g.to - g.from >= 1000).slice(0, 3);
  if (gaps.length) lines.push(`largest gaps: ${gaps.map((g) => `${utcTime(g.from)} for ${humanDuration(g.to - g.from)}`).join('; ')}`);
  lines.push('', 'per identity, one cell per run (✓ green, ✗ red, ? cannot check), oldest first:', ...renderStrips(s.strips, width).map((l) => `  ${l}`));
  lines.push('', s.redPeriods.length ? `red periods (${s.redPeriods.length}):` : 'red periods: none');
  for (const p of s.redPeriods) lines.push(`  ✗ ${describeRedPeriod(p)}`);
  if (s.cannotCheck.length) {
    lines.push('', `cannot check (${s.runs.cannotCheck} run${s.runs.cannotCheck === 1 ? '' : 's'}):`);
    for (const c of s.cannotCheck) lines.push(`  ? ${utcTime(c.from)}${c.runs > 1 ? `–${hms(c.to)}` : ''} (${c.runs} run${c.runs === 1 ? '' : 's'}): ${c.error}`);
  }
  lines.push('', 'latency per identity (smoke, ms):      p50    p90    p99    max      n');
  for (const l of s.latency) lines.push(`  ${l.identity.padEnd(34)} ${[l.p50, l.p90, l.p99, l.max].map((v) => String(v ?? '-').padStart(6)).join(' ')} ${String(l.n).padStart(6)}`);
  lines.push('', 'token last seen per device:');
  for (const t of s.tokens) {
    const moved = t.advances ? `advanced in ${t.advances} run${t.advances === 1 ? '' : 's'}, last at ${hms(t.lastAdvancedAt!)}` : 'not advancing';
    lines.push(`  ${`${t.identity}/${t.device}`.padEnd(24)} ${t.lastSeenAt ?? 'never'} (${moved})`);
  }
  lines.push('', !s.logsReviewed ? 'daemon restarts: the log review could not read the daemon log in any run' : s.restarts.length ? `daemon restarts seen by the log review (${s.restarts.length}):` : 'daemon restarts seen by the log review: none');
  for (const r of s.restarts) lines.push(`  ${r.at === null ? '(no time)' : utcTime(r.at)}  ${r.line}`);
  const recent = h.runs.filter((r) => r.at >= h.window.from).slice(-12);
  lines.push('', `runs (the last ${recent.length}; --json has all):`);
  for (const r of recent) {
    const red = r.criteria.filter((c) => c.ok === false).map((c) => c.said);
    const what = r.ok === true ? 'green' : r.ok === false ? `red: ${red.join('; ')}` : `cannot check: ${r.error ?? ''}`;
    lines.push(`  ${CELL_GLYPH[r.ok === true ? 'green' : r.ok === false ? 'red' : 'unknown']} #${r.id} ${utcTime(r.at)} ${humanDuration(r.durationMs)}  ${what}`.slice(0, Math.max(width, 60)));
  }
  return lines;
}

/** Called from src/commands/journal.ts for --verifications. */
export function verificationsCommand(j: Journal, json: boolean, io: CliIO): Outcome {
  const h = loadHistory(j);
  if (json) io.stdout.write(JSON.stringify({ journal: j.file, ...historyDocument(h) }, null, 2) + '\n');
  else {
    const lines = renderHistory(h, Math.min(io.stdout.columns ?? 100, 160));
    if (!h.runs.length) lines.push('start one with: cutover verify RUNBOOK --every 15m --for 7d (or --record from cron)');
    io.stdout.write(lines.join('\n') + '\n');
  }
  return 'ok';
}

/** What `cutover review` prints after the log summary: the history line, the strip per identity, the red periods. */
export function historyBesideLogs(h: HistorySummary | null, width = 100): string[] {
  if (!h) return ['verification history: no recorded end of the cutover to start it from'];
  if (!h.runs.total) return [`verification history: ${historyLine(h)}`];
  return [
    `verification history since the cutover ended: ${historyLine(h)}`,
    ...renderStrips(h.strips, width - 2).map((l) => `  ${l}`),
    ...h.redPeriods.slice(0, 10).map((p) => `  ✗ ${describeRedPeriod(p)}`),
    ...(h.redPeriods.length > 10 ? [`  … ${h.redPeriods.length - 10} more (cutover journal RUNBOOK --verifications)`] : []),
  ];
}
