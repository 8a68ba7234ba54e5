// Which journal belongs to a runbook: --state DIR, else the runbook's state_dir, else the XDG default
// (paths.ts runbookStateDir: a decommission shares its cutover's). Readers only need the name and steps,
// so a runbook with problems elsewhere still finds its journal.
import { readFileSync } from 'node:fs';
import TOML from '@iarna/toml';
import { runbookStateDir } from '../paths.ts';

export function stateDirFor(runbookPath: string, opts: { state?: string; env: Record<string, string | undefined> }): string {
  if (opts.state) return opts.state;
  let text: string;
  try {
    text = readFileSync(runbookPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${runbookPath}: cannot read runbook (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}); or pass --state DIR`);
  }
  let data: { runbook?: { name?: unknown; state_dir?: unknown }; steps?: unknown } = {};
  try {
    data = TOML.parse(text) as typeof data;
  } catch (err) {
    const e = err as { line?: number; col?: number };
    throw new Error(`${runbookPath}:${(e.line ?? 0) + 1}:${(e.col ?? 0) + 1}: TOML syntax error; run cutover validate ${runbookPath}`);
  }
  const meta = data.runbook ?? {};
  if (typeof meta.name !== 'string') throw new Error(`${runbookPath}: runbook.name is missing; run cutover validate ${runbookPath}`);
  const stateDir = typeof meta.state_dir === 'string' && meta.state_dir.startsWith('/') ? meta.state_dir : undefined;
  const steps = Array.isArray(data.steps) ? (data.steps as Record<string, unknown>[]) : undefined;
  return runbookStateDir({ runbook: { name: meta.name, state_dir: stateDir }, steps }, opts.env);
}
