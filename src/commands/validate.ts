// cutover validate RUNBOOK: every problem in the runbook, one per line, with its place in the file.
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { loadRunbook } from '../runbook/load.ts';
import { CATALOG } from '../actions/index.ts';
import { formatProblem, problemReport } from '../runbook/problems.ts';

export const help = `Usage: cutover validate RUNBOOK [--json]

Checks a runbook without touching anything: TOML syntax, the schema (unknown keys with "did you mean"),
and references (actions, step ids, containers, identities, sites, smoke checks, templates, conditions,
rollbacks of destructive steps, absolute container paths), and semantics: identities with their own host,
legacy container and data dir; hosts that are ASCII hostnames (an IDN gets its punycode form suggested);
paths absolute, without "..", quotes, backslashes, newlines or control characters; values written into the
TOML manifest, smoke conditions or the Caddyfile without a quote, backslash or control character.

Problems are printed one per line on stderr:
  FILE:LINE:COL: message          TOML syntax errors
  FILE:LINE: key.path: message    schema and reference errors (FILE: key.path: … when no line is found)

Options:
  --json    print {"file","valid","steps","resolved","problems":[…]} on stdout
  --help    this text

Exit codes: 0 valid, 2 invalid (or unreadable).
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('validate', argv, { json: { type: 'boolean' } }, { positionals: [1, 1] });
  const file = positionals[0]!;
  const r = loadRunbook(file, { catalog: CATALOG, env: io.env });
  if (r.problems.length && !r.text && !values.json) throw new CliError(formatProblem(r.problems[0]!), 'bad-input');
  const valid = r.problems.length === 0;
  if (values.json) {
    const doc = { file, valid, steps: r.runbook?.steps.length ?? null, resolved: r.steps?.length ?? null, sha256: r.sha256 || null, problems: r.problems };
    io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else if (valid) {
    io.stderr.write(`${file}: valid (${r.runbook!.steps.length} steps, ${r.steps!.length} resolved)\n`);
  } else {
    io.stderr.write(problemReport(file, r.problems));
  }
  return valid ? 'ok' : 'bad-input';
}
