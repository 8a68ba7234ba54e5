// cutover audit: the stateful modules, their backup class, size, last backup and drill, readiness.
import { resolve } from 'node:path';
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { AUDIT_COLUMNS, AUDIT_LEGEND, auditModules, dockerAuditFacts, renderAuditTable, sortAudit, type AuditColumn } from '../backup/audit.ts';
import { DockerRuntime } from '../adapters/docker.ts';
import { loadClassMapping } from '../backup/class-map.ts';
import { asCliError, backupDir } from '../backup/cli-options.ts';
import { DEFAULT_BACKUP_DIR } from '../backup/contract.ts';
import { loadModules } from '../backup/module-yaml.ts';

export const help = `Usage: cutover audit [--modules DIR] [--runtime docker] [--dir D] [--mapping FILE] [--sort COL] [--json]

Lists the stateful modules (DIR/<module>/module.yaml with spec.runtime.statefulness: stateful), their
backup class, mounts (spec.mounts; with --runtime docker the container's mounts from docker inspect) and
current data size (mounts readable here; Docker volumes from docker system df -v), last
backup and its size, last successful drill (the date cutover drill recorded in drills.jsonl in the
backup dir), and readiness: restore proven (a drill passed), backup proven (a backup with all its
files), or neither. The table fits 80 columns; --json has every field in full.

Options:
  --modules DIR   module tree (default ./modules)
  --runtime docker
                  read the containers from Docker (stateful modules whose spec.runtime.kind is
                  docker or unset): mounts from docker inspect, volume sizes from docker system
                  df -v; a container is found by its compose labels (com.docker.compose.service,
                  any compose version), then by name
  --compose-project P
                  docker: only containers of this compose project
  --dir D         backup directory (default ${DEFAULT_BACKUP_DIR}, or $CUTOVER_BACKUP_DIR)
  --mapping FILE  class mapping TOML ([classes] name-or-pattern = "A")
  --sort COL      ${AUDIT_COLUMNS.join(' | ')} (default name; size, backup and drill:
                  biggest / newest first; readiness: least ready first)
  --json          one JSON document on stdout

Exit codes: 0 listed, 2 bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values } = parseCommandArgs(
    'audit',
    argv,
    { modules: { type: 'string' }, runtime: { type: 'string' }, 'compose-project': { type: 'string' }, dir: { type: 'string' }, mapping: { type: 'string' }, sort: { type: 'string' }, json: { type: 'boolean' } },
    { positionals: [0, 0] },
  );
  const col = (values.sort ?? 'name') as AuditColumn;
  if (!AUDIT_COLUMNS.includes(col)) throw new CliError(`audit: --sort must be one of ${AUDIT_COLUMNS.join(', ')}, got "${values.sort}"`, 'usage');
  if (values.runtime !== undefined && values.runtime !== 'docker') throw new CliError(`audit: --runtime reads containers from docker only, got "${values.runtime}"`, 'usage');
  try {
    const modules = loadModules(resolve(io.cwd, values.modules ?? 'modules'));
    const mapping = values.mapping ? loadClassMapping(resolve(io.cwd, values.mapping)) : undefined;
    const inDocker = values.runtime === 'docker' ? modules.filter((m) => m.stateful && (m.runtime ?? 'docker') === 'docker') : [];
    const facts = inDocker.length ? await dockerAuditFacts(inDocker, new DockerRuntime(), { composeProject: values['compose-project'] }) : undefined;
    const rows = sortAudit(auditModules(modules, backupDir(values, io), mapping, facts), col);
    if (values.json) io.stdout.write(JSON.stringify({ modules: rows }, null, 2) + '\n');
    else {
      io.stdout.write(renderAuditTable(rows));
      for (const r of rows) if (r.runtime?.error) io.stdout.write(`${r.module}: ${r.runtime.runtime}: ${r.runtime.error}\n`);
      const count = (r: string) => rows.filter((x) => x.readiness === r).length;
      io.stdout.write(`\n${rows.length} stateful of ${modules.length} modules · restore proven ${count('restore proven')} · backup proven ${count('backup proven')} · neither ${count('neither')}\n${AUDIT_LEGEND}\n`);
    }
    return 'ok';
  } catch (err) {
    throw asCliError(err);
  }
}
