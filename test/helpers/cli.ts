// Runs the real cutover binary the way an operator does. The single-file bundle is rebuilt once per test
// process (atomically, so parallel test processes never see half a file), so tests exercise what ships.
import { execFile } from 'node:child_process';
import { renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLE = `${REPO}dist/cutover.mjs`;

let built: Promise<void> | undefined;
export function ensureBundle(): Promise<void> {
  built ??= (async () => {
    const tmp = `${REPO}dist/.cutover-${process.pid}.mjs`;
    const { buildOptions } = await import('../../scripts/build-options.mjs');
    await build({ ...buildOptions(REPO), outfile: tmp, logLevel: 'error' });
    renameSync(tmp, BUNDLE);
  })();
  return built;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  await ensureBundle();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BUNDLE, ...args],
      { cwd: opts.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err && typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : err ? 1 : 0;
        resolve({ code: child.exitCode ?? code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
