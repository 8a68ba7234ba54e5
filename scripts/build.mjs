// One ESM file for fast start: dist/cutover.mjs. better-sqlite3 (native) stays external.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { buildOptions } from './build-options.mjs';

const started = Date.now();
await build(buildOptions(fileURLToPath(new URL('..', import.meta.url))));
console.error(`build: dist/cutover.mjs in ${Date.now() - started} ms`);
