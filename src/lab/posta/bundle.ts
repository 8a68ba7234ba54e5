// Builds the stand-in into one executable file (the lab installs it as a container's
// /usr/local/bin/posta-server). CommonJS, because Node starts it ~20 ms faster than an ES module.
// better-sqlite3 is native, so it stays outside the bundle and is required by absolute path from this
// checkout's node_modules: the bundle then runs from any directory.
import { chmodSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../bundle.ts';

/** Writes the bundled posta-server to `outfile` (atomically, mode 0755). */
export async function bundlePostaServer(outfile: string): Promise<void> {
  const scope = moduleScopeOf(dirname(resolve(outfile)));
  if (scope) throw new Error(`cannot install posta-server at ${outfile}: ${scope} declares "type": "module", so Node would not run the CommonJS bundle there`);
  const { build } = await import('esbuild');
  const repo = repoRoot();
  const sqlitePath = createRequire(join(repo, 'package.json')).resolve('better-sqlite3');
  const tmp = `${outfile}.tmp-${process.pid}`;
  await build({
    absWorkingDir: repo,
    entryPoints: ['src/lab/posta/main.ts'],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [
      {
        name: 'better-sqlite3-by-path',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlitePath, external: true }));
        },
      },
    ],
    legalComments: 'none',
    logLevel: 'error',
  });
  chmodSync(tmp, 0o755);
  renameSync(tmp, outfile);
}

/** The package.json that makes `dir` an ES-module scope, or null (Node's rule for extensionless files). */
function moduleScopeOf(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module' ? pkg : null;
      } catch {
        return null;
      }
    }
    if (dirname(d) === d) return null;
  }
}
