// `cutover report RUNBOOK`: the markdown report of a run, from the journal only (no live calls).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { loadReportData, NoRunError } from '../report/data.ts';
import { CATALOG } from '../actions/index.ts';
import { renderReport } from '../report/render.ts';
import { openForReading, parseRunId } from './journal.ts';
import { otherSitesMarkdown } from './preflight-gate.ts';

export const help = `Usage: cutover report RUNBOOK [--run ID] [--out FILE] [--state DIR]

Markdown report of a cutover run, to paste into the issue (like "Cutover complete"): outage window,
what runs now, public smoke per identity, token survival, the Caddyfile change and its backup, rollback
artifacts and the exact rollback procedure, what is left, a section for DEPLOY.md, and "Cleanup complete"
when a decommission run is in the same journal. Rendered from the journal only; no secrets.

Options:
  --run ID       which run (default: the latest apply/run)
  --out FILE     write the report to FILE (atomically) instead of stdout
  --state DIR    the state directory holding journal.sqlite (default: from the runbook)

Exit codes: 0 written, 2 no journal, no such run or bad arguments.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('report', argv, { run: { type: 'string' }, out: { type: 'string' }, state: { type: 'string' } }, { positionals: [1, 1] });
  const runId = values.run === undefined ? undefined : parseRunId(values.run);
  const journal = openForReading(positionals[0]!, values.state, io);
  let markdown: string;
  try {
    const data = loadReportData(journal, CATALOG, runId === undefined ? {} : { runId });
    markdown = renderReport(data) + otherSitesMarkdown(journal.events(data.run.id));
  } catch (err) {
    if (err instanceof NoRunError) throw new CliError(`report: ${err.message}`, 'bad-input');
    throw err;
  } finally {
    journal.close();
  }
  if (!values.out) {
    io.stdout.write(markdown);
    return 'ok';
  }
  const out = resolve(io.cwd, values.out);
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, markdown, { mode: 0o644 });
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CliError(`report: cannot write ${out}: ${(err as Error).message}`, 'bad-input');
  }
  io.stderr.write(`wrote ${out}\n`);
  return 'ok';
}
