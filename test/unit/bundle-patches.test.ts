// What scripts/build-options.mjs does to dependencies, checked on the bundle that ships: Ink's devtools
// bridge is not in it (DEV=true in an operator's shell used to crash the cockpit), one string-width (ours,
// src/width.ts, over the real one), and yoga's wasm is not fetched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, REPO, runCli } from '../helpers/cli.ts';

async function inputs(): Promise<string[]> {
  const { buildOptions } = await import('../../scripts/build-options.mjs');
  const r = await build({ ...buildOptions(REPO), write: false, metafile: true, logLevel: 'error' });
  return Object.keys((r.metafile as Metafile).inputs);
}

test('the bundle has no devtools bridge, no ws and a single string-width', async () => {
  const all = await inputs();
  assert.deepEqual(all.filter((i) => /node_modules\/.*devtools|node_modules\/ws\//.test(i)), []);
  assert.ok(all.includes('ink-devtools-off:./devtools.js'), 'Ink\'s import of its devtools resolves to the empty stand-in');
  assert.deepEqual(all.filter((i) => /string-width|src\/width\.ts/.test(i)).sort(), ['node_modules/string-width/index.js', 'src/width.ts']);
  assert.ok(all.some((i) => /yoga-wasm-base64-esm\.js$/.test(i)));
});

test('DEV=true does not break the cockpit: run still gets as far as asking for a terminal', async () => {
  const r = await runCli(['run', 'runbooks/lab/posta-cutover.toml'], { env: { DEV: 'true' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the cockpit needs a terminal/);
  const bundle = readFileSync(BUNDLE, 'utf8');
  assert.doesNotMatch(bundle, /typeof fetch.{0,80}same-origin/);
  // better-sqlite3 is required when a database is opened (src/sqlite.ts), not imported at start-up
  assert.doesNotMatch(bundle, /from\s*"better-sqlite3"/);
});
