// Builds the stand-in into one executable file (the lab installs it as a container's
// /usr/local/bin/posta-server). better-sqlite3 is native, so it stays outside the bundle and is imported
// by absolute path from this checkout's node_modules: the bundle then runs from any directory.
import { chmodSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Writes the bundled posta-server to `outfile` (atomically, mode 0755). */
export async function bundlePostaServer(outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  const sqlitePath = createRequire(`${REPO}package.json`).resolve('better-sqlite3');
  const tmp = `${outfile}.tmp-${process.pid}`;
  await build({
    entryPoints: [ENTRY],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
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
