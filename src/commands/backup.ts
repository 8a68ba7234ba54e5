// cutover backup MODULE: one backup now, by an operator (never automatic).
import { parseCommandArgs } from '../contract/args.ts';
import type { CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { backupModule } from '../backup/backup.ts';
import { asCliError, moduleOptions, MODULE_OPTIONS, MODULE_OPTIONS_HELP } from '../backup/cli-options.ts';
import { formatBytes } from '../backup/contract.ts';
import { CLASS_TITLES } from '../backup/types.ts';

export const help = `Usage: cutover backup MODULE [options]

Backs up one stateful module now: <module>-<YYYYMMDD-HHMMSS>.<ext> plus a .manifest.json (class,
source, size, sha256, tool versions, duration) in the backup dir, every file 0600, written to a temp
name and renamed. Checks free space first. Runs only when you run it.

${MODULE_OPTIONS_HELP}

Examples:
  cutover backup uptime-kuma --runtime docker
  cutover backup honcho-postgres --runtime docker --class A
  cutover backup arne-msg --runtime incus --class S --path /var/lib/posta/inbox.db --path /var/lib/posta/keys.json

Exit codes: 0 backed up, 1 the backup failed, 2 bad input (nothing written).
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('backup', argv, MODULE_OPTIONS, { positionals: [1, 1] });
  const module = positionals[0]!;
  try {
    const opts = await moduleOptions(module, values, io);
    io.stderr.write(`backup: ${module} class ${opts.cls} — ${CLASS_TITLES[opts.cls]} (${opts.classSource}) from ${opts.target.kind === 'host' ? 'host' : `${opts.target.kind}:${opts.target.container}`}\n`);
    const { manifestPath, manifest } = await backupModule(opts);
    (opts.onProgress as { done?: () => void } | undefined)?.done?.();
    if (values.json) io.stdout.write(JSON.stringify({ manifestPath, manifest }, null, 2) + '\n');
    for (const f of manifest.files) io.stderr.write(`  ${f.name}  ${formatBytes(f.size)}  sha256 ${f.sha256.slice(0, 16)}…  0600\n`);
    for (const n of manifest.notes) io.stderr.write(`  note: ${n}\n`);
    io.stderr.write(`  manifest ${manifestPath} (${manifest.method}, ${(manifest.durationMs / 1000).toFixed(1)} s)\n`);
    return 'ok';
  } catch (err) {
    throw asCliError(err);
  }
}
