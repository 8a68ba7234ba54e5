// cutover drill MODULE: back up, restore into a scratch target, compare, record.
import { parseCommandArgs } from '../contract/args.ts';
import type { CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { asCliError, moduleOptions, MODULE_OPTIONS, MODULE_OPTIONS_HELP } from '../backup/cli-options.ts';
import { DRILLS_FILE, runDrill } from '../backup/drill.ts';
import { manifestPathFor } from '../backup/manifest.ts';
import { resolve } from 'node:path';

export const help = `Usage: cutover drill MODULE [--backup FILE] [options]

A restore drill: backs MODULE up (as cutover backup does), or takes --backup FILE (a backup made
earlier: its .manifest.json or the file next to it), verifies it (size, sha256, mode: a truncated or
tampered archive fails the drill, naming both sums), restores it into a scratch target
on this machine — a temp PostgreSQL cluster (class A), a temp redis-server (B), a temp dir (others),
all on loopback — and compares it with the original: pg_dumpall of both (normalised), redis key count
and sample values, file list + sha256 (SQLite: tables, row counts, row hashes), the original read where
it lives (inside the container for files there). A backup that fails is a failed drill. The result is
appended to ${DRILLS_FILE} (0600) next to the backups; cutover audit reads it.

${MODULE_OPTIONS_HELP}
  --backup FILE        drill this existing backup of MODULE instead of making a new one

Exit codes: 0 restore proven, 1 the drill found differences or failed, 2 bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('drill', argv, { ...MODULE_OPTIONS, backup: { type: 'string' } }, { positionals: [1, 1] });
  const module = positionals[0]!;
  try {
    const opts = await moduleOptions(module, values, io);
    io.stderr.write(`drill: ${module} class ${opts.cls} (${opts.classSource})\n`);
    const record = await runDrill(opts, values.backup ? manifestPathFor(resolve(io.cwd, values.backup)) : undefined);
    (opts.onProgress as { done?: () => void } | undefined)?.done?.();
    if (values.json) io.stdout.write(JSON.stringify(record, null, 2) + '\n');
    for (const c of record.checks) io.stderr.write(`  checked: ${c}\n`);
    for (const p of record.problems) io.stderr.write(`  ✗ ${p}\n`);
    io.stderr.write(record.ok ? `✓ restore proven for ${module} (${record.manifest}, ${(record.durationMs / 1000).toFixed(1)} s)\n` : `✗ drill failed for ${module}: ${record.problems.length} problem(s)\n`);
    return record.ok ? 'ok' : 'failed';
  } catch (err) {
    throw asCliError(err);
  }
}
