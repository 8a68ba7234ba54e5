// esbuild options shared by `npm run build`, the bench's bundles and the test helper.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Rewrites one file of a dependency at bundle time; the build fails when the text to replace is no longer
 * there (after an upgrade), so a patch never goes quietly stale.
 */
function patchDependency(name, filter, edits) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        for (const [from, to, count] of edits) {
          const found = text.split(from).length - 1;
          if (found !== count) throw new Error(`${name}: expected ${count}× ${JSON.stringify(from)} in ${args.path}, found ${found}`);
          text = text.replaceAll(from, to);
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
}

// Ink imports its React devtools bridge when DEV=true, which pulls in `ws` and `react-devtools-core` (not
// shipped): an operator's shell that exports DEV=true crashed the cockpit. The bridge is left out.
const inkDevtoolsOff = {
  name: 'ink-devtools-off',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]ink[\\/]build[\\/]/.test(args.importer) ? { path: args.path, namespace: 'ink-devtools-off' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'ink-devtools-off' }, () => ({ contents: '', loader: 'js' }));
  },
};

// yoga-layout's Emscripten loader fetch()es its inlined base64 wasm when fetch exists, which loads Node's
// own copy of undici before the first frame (~30 ms, several MiB); its synchronous decode does the same job.
const yogaWithoutFetch = patchDependency('yoga-without-fetch', /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/, [
  ['"function"!=typeof fetch', 'true', 2],
]);

// Every `string-width` in the bundle is src/width.ts (string-width with a per-character fast path; it
// imports the real one itself): one copy instead of four, and the cockpit's frame measured quickly.
function oneStringWidth(repoDir) {
  const width = join(repoDir, 'src', 'width.ts');
  return {
    name: 'one-string-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, (args) => (args.importer === width ? undefined : { path: width }));
    },
  };
}

export function buildOptions(repoDir) {
  return {
    absWorkingDir: repoDir,
    entryPoints: ['bin/cutover.ts'],
    outfile: 'dist/cutover.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'tsx', 'esbuild'],
    alias: { 'react-devtools-core': './scripts/empty-module.mjs', 'is-in-ci': './scripts/is-in-ci.mjs' },
    plugins: [inkDevtoolsOff, yogaWithoutFetch, oneStringWidth(repoDir)],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // Half the bytes Node reads and parses before the first frame; names are kept for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
}
