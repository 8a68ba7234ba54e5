// esbuild options shared by `npm run build` and the test helper.
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
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  };
}
