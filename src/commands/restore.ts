// cutover restore BACKUP: verify, then restore (only with --yes).
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { asCliError, runtimeFor } from '../backup/cli-options.ts';
import { formatBytes } from '../backup/contract.ts';
import { manifestPathFor, verifyBackup } from '../backup/manifest.ts';
import type { BackupManifest } from '../backup/types.ts';
import { restoreBackup } from '../backup/restore.ts';
import type { Target } from '../backup/target.ts';

export const help = `Usage: cutover restore BACKUP [--to TARGET] [--yes] [--force] [options]

Restores a backup made by cutover backup. BACKUP is its .manifest.json or the backup file next to it
(<module>-<YYYYMMDD-HHMMSS>.tar.gz | .sql.gz | .snap). Verifies every file's size, sha256 and mode first and
refuses a backup that fails (exit 1, naming the file and both hashes; nothing is restored).
Without --yes it verifies, says what it would do, writes nothing and exits 2.
  archives (classes B–G, S): extracted into --to DIR (created 0700; a non-empty DIR needs --force)
  pg_dumpall (class A): psql into --to host (with --pg-host/--pg-port) or --to CONTAINER (--runtime)
  vault raft snapshot (class C): into --to CONTAINER with VAULT_TOKEN

Options:
  --to TARGET          directory, "host", or instance/container name
  --runtime R          host | incus | docker, for --to CONTAINER (default host)
  --pg-host H, --pg-port N, --pg-user U   postgres to restore into (class A)
  --yes                do it (restores write data)
  --force              extract into a non-empty directory
  --json               one JSON document on stdout

Exit codes: 0 restored, 1 verification or restore failed, 2 bad input or no --yes (nothing written).
`;

/** In words, what `--yes` would do (the refusal says it, and so does the journal-less dry run). */
function restorePlan(m: BackupManifest, to: string, cwd: string, runtime?: string): string {
  const f = m.files[0]!;
  if (f.kind === 'sql.gz') return `run psql -f on the pg_dumpall ${f.name} (${formatBytes(f.size)} gzipped) in ${to === 'host' ? 'the host postgres' : `${runtime ?? 'host'}:${to}`}, creating roles and databases as dumped`;
  if (f.kind === 'snapshot') return `run vault operator raft snapshot restore of ${f.name} in ${runtime ?? 'host'}:${to}, replacing all of that vault's data`;
  const files = (f.entries ?? []).filter((e) => e.type === 'file');
  const bytes = files.reduce((n, e) => n + e.size, 0);
  const dir = resolve(cwd, to);
  const state = existsSync(dir) ? (readdirSync(dir).length ? 'not empty: needs --force' : 'empty') : 'created 0700';
  return `extract ${f.name}: ${files.length} file(s), ${formatBytes(bytes)} (${m.source.paths.join(', ')}) into ${dir} (${state})`;
}

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'restore',
    argv,
    {
      to: { type: 'string' },
      runtime: { type: 'string' },
      'pg-host': { type: 'string' },
      'pg-port': { type: 'string' },
      'pg-user': { type: 'string' },
      yes: { type: 'boolean' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    { positionals: [1, 1] },
  );
  try {
    const manifestPath = manifestPathFor(resolve(io.cwd, positionals[0]!));
    const v = await verifyBackup(manifestPath);
    const m = v.manifest;
    if (!v.ok) {
      if (values.json) io.stdout.write(JSON.stringify({ ok: false, problems: v.problems }, null, 2) + '\n');
      throw new CliError(`${manifestPath} fails verification:\n  ${v.problems.join('\n  ')}`, 'failed');
    }
    io.stderr.write(`restore: ${m.module} class ${m.class} (${m.method}, ${m.created}) — ${m.files.length} file(s) verified (size, sha256, 0600)\n`);
    const kind = m.files[0]?.kind;
    const needsTarget = kind === 'sql.gz' || kind === 'snapshot';
    if (!values.to) throw new CliError(needsTarget ? 'restore: --to host or --to CONTAINER is required for this backup' : 'restore: --to DIR is required (restore never writes over live paths on its own)', 'usage');
    if (!values.yes) {
      io.stderr.write(`would ${restorePlan(m, values.to, io.cwd, values.runtime)}.\nNothing was written. Re-run with --yes to do it.\n`);
      if (values.json) io.stdout.write(JSON.stringify({ ok: true, verified: true, restored: false }, null, 2) + '\n');
      throw new CliError('restore: refusing without --yes (a restore writes data)', 'usage');
    }
    let target: Target | undefined;
    if (needsTarget) {
      const { kind: rk, runtime } = runtimeFor(values.to === 'host' ? 'host' : (values.runtime ?? 'host'), io);
      target = { runtime, kind: rk, container: values.to };
    }
    const pgPort = values['pg-port'] ? Number(values['pg-port']) : undefined;
    const r = await restoreBackup({
      manifestPath,
      toDir: needsTarget ? undefined : resolve(io.cwd, values.to),
      target,
      pg: { user: values['pg-user'] ?? 'postgres', host: values['pg-host'], port: pgPort },
      force: values.force,
      env: io.env.VAULT_TOKEN ? { VAULT_TOKEN: io.env.VAULT_TOKEN } : {},
    });
    if (values.json) io.stdout.write(JSON.stringify({ ok: r.errors.length === 0, restored: true, restoredTo: r.restoredTo, errors: r.errors }, null, 2) + '\n');
    for (const e of r.errors) io.stderr.write(`  ✗ ${e}\n`);
    io.stderr.write(r.errors.length ? `✗ restored into ${r.restoredTo} with ${r.errors.length} error(s)\n` : `✓ restored into ${r.restoredTo}\n`);
    return r.errors.length ? 'failed' : 'ok';
  } catch (err) {
    throw asCliError(err);
  }
}
