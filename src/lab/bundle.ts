// At `lab up`: bundles the lab's executables (incus shim, posta-server stand-in, caddy wrapper, supervisor)
// into <lab>/lib as small ESM files and writes the sh launchers in <lab>/bin.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDir, writeFileAtomic } from './fsutil.ts';
import { labLayout } from './layout.ts';

/** The cutover source tree this code runs from (src/lab/… under tsx, dist/ in the bundle). */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cutover') return d;
    const up = dirname(d);
    if (up === d) throw new Error('cannot find the cutover source tree (package.json named "cutover") above ' + fileURLToPath(import.meta.url));
    d = up;
  }
}

const ENTRIES = {
  'posta-server.mjs': 'src/lab/posta/main.ts',
  'incus.mjs': 'src/lab/shim/main.ts',
  'caddy.mjs': 'src/lab/caddy-wrapper.ts',
  'supervisor.mjs': 'src/lab/supervisor-main.ts',
} as const;

export async function bundleLab(dir: string): Promise<void> {
  const layout = labLayout(dir);
  const repo = repoRoot();
  ensureDir(layout.lib);
  ensureDir(layout.bin);
  for (const src of Object.values(ENTRIES)) {
    if (!existsSync(join(repo, src))) throw new Error(`lab: ${src} is missing from ${repo}; cannot build the lab`);
  }
  const { build } = await import('esbuild');
  // Native better-sqlite3 stays outside the bundles, imported by absolute path from this checkout, so the
  // bundles run from the lab directory. (src/lab/posta/bundle.ts does the same but locates the repo from
  // its own file, which breaks once the CLI itself is bundled into dist/.)
  const sqlitePath = createRequire(join(repo, 'package.json')).resolve('better-sqlite3');
  const sqliteByPath = {
    name: 'better-sqlite3-by-path',
    setup(b: { onResolve(o: { filter: RegExp }, cb: () => { path: string; external: boolean }): void }) {
      b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlitePath, external: true }));
    },
  };
  await Promise.all([
    ...Object.entries(ENTRIES).map(([out, src]) =>
      build({
        absWorkingDir: repo,
        entryPoints: [src],
        outfile: join(layout.lib, out),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        plugins: [sqliteByPath],
        legalComments: 'none',
        logLevel: 'error',
      }),
    ),
  ]);

  const node = process.execPath;
  const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const launcher = (lib: string, withDir: boolean) =>
    `#!/bin/sh\n${withDir ? `CUTOVER_LAB_SHIM_DIR=${sh(dir)} ` : ''}exec ${sh(node)} ${sh(join(layout.lib, lib))} "$@"\n`;
  writeFileAtomic(layout.incus, launcher('incus.mjs', true), 0o755);
  writeFileAtomic(layout.postaLauncher, launcher('posta-server.mjs', false), 0o755);
  writeFileAtomic(layout.caddyWrapper, launcher('caddy.mjs', true), 0o755);
}
