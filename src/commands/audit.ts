// cutover audit: the stateful modules, their backup class, size, last backup and drill, readiness.
import { resolve } from 'node:path';
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import { AUDIT_COLUMNS, AUDIT_LEGEND, auditModules, renderAuditTable, sortAudit, type AuditColumn } from '../backup/audit.ts';
import { loadClassMapping } from '../backup/class-map.ts';
import { asCliError, backupDir } from '../backup/cli-options.ts';
import { DEFAULT_BACKUP_DIR } from '../backup/contract.ts';
import { loadModules } from '../backup/module-yaml.ts';

export const help = `Usage: cutover audit [--modules DIR] [--dir D] [--mapping FILE] [--sort COL] [--json]

Lists the stateful modules (DIR/<module>/module.yaml with spec.runtime.statefulness: stateful), their
backup class, mounts (spec.mounts), current data size (where the mounts are readable here), last
backup and its size, last successful drill (the date cutover drill recorded in drills.jsonl in the
backup dir), and readiness: restore proven (a drill passed), backup proven (a backup with all its
files), or neither. The table fits 80 columns; --json has every field in full.

Options:
  --modules DIR   module tree (default ./modules)
  --dir D         backup directory (default ${DEFAULT_BACKUP_DIR}, or $CUTOVER_BACKUP_DIR)
  --mapping FILE  class mapping TOML ([classes] name-or-pattern = "A")
  --sort COL      ${AUDIT_COLUMNS.join(' | ')} (default name; size, backup and drill:
                  biggest / newest first; readiness: least ready first)
  --json          one JSON document on stdout

Exit codes: 0 listed, 2 bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    'audit',
    argv,
    { modules: { type: 'string' }, dir: { type: 'string' }, mapping: { type: 'string' }, sort: { type: 'string' }, json: { type: 'boolean' } },
    { positionals: [0, 0] },
  );
  const col = (values.sort ?? 'name') as AuditColumn;
  if (!AUDIT_COLUMNS.includes(col)) throw new CliError(`audit: --sort must be one of ${AUDIT_COLUMNS.join(', ')}, got "${values.sort}"`, 2);
  try {
    const modules = loadModules(resolve(io.cwd, values.modules ?? 'modules'));
    const mapping = values.mapping ? loadClassMapping(resolve(io.cwd, values.mapping)) : undefined;
    const rows = sortAudit(auditModules(modules, backupDir(values, io), mapping), col);
    if (values.json) io.stdout.write(JSON.stringify({ modules: rows }, null, 2) + '\n');
    else {
      io.stdout.write(renderAuditTable(rows));
      const count = (r: string) => rows.filter((x) => x.readiness === r).length;
      io.stdout.write(`\n${rows.length} stateful of ${modules.length} modules · restore proven ${count('restore proven')} · backup proven ${count('backup proven')} · neither ${count('neither')}\n${AUDIT_LEGEND}\n`);
    }
    return 0;
  } catch (err) {
    throw asCliError(err);
  }
}
