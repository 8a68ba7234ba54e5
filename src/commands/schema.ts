// cutover schema: the runbook format as JSON Schema, for editors (taplo / Even Better TOML).
import { CATALOG } from '../actions/index.ts';
import type { CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { runbookJsonSchema } from '../runbook/json-schema.ts';

export const help = `Usage: cutover schema

Prints the JSON Schema of the runbook format on stdout (generated from the same zod schema that
\`cutover validate\` uses). Steps are described per action: each action's own parameters.

  cutover schema > runbook.schema.json
  # taplo / Even Better TOML: add  #:schema ./runbook.schema.json  as the runbook's first line

Exit codes: 0.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  parseCommandArgs('schema', argv, {}, { positionals: [0, 0] });
  io.stdout.write(JSON.stringify(runbookJsonSchema(CATALOG), null, 2) + '\n');
  return 'ok';
}
