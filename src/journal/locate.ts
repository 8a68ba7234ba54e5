// Which journal belongs to a runbook: --state DIR, else the runbook's state_dir, else the XDG default
// for its name. Readers only need the name, so a runbook with problems elsewhere still finds its journal.
import { readFileSync } from 'node:fs';
import TOML from '@iarna/toml';
import { defaultStateDir } from '../paths.ts';

export function stateDirFor(runbookPath: string, opts: { state?: string; env: Record<string, string | undefined> }): string {
  if (opts.state) return opts.state;
  let text: string;
  try {
    text = readFileSync(runbookPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${runbookPath}: cannot read runbook (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message}); or pass --state DIR`);
  }
  let meta: { name?: unknown; state_dir?: unknown } = {};
  try {
    meta = ((TOML.parse(text) as Record<string, unknown>).runbook ?? {}) as typeof meta;
  } catch (err) {
    const e = err as { line?: number; col?: number };
    throw new Error(`${runbookPath}:${(e.line ?? 0) + 1}:${(e.col ?? 0) + 1}: TOML syntax error; run cutover validate ${runbookPath}`);
  }
  if (typeof meta.state_dir === 'string' && meta.state_dir.startsWith('/')) return meta.state_dir;
  if (typeof meta.name !== 'string') throw new Error(`${runbookPath}: runbook.name is missing; run cutover validate ${runbookPath}`);
  return defaultStateDir(opts.env, meta.name);
}
