// Fast start: `--help`, `validate`, `plan` and `schema` never load Ink, React or better-sqlite3. Checked on
// the real module graph: esbuild with code splitting turns every dynamic import into its own chunk, so what
// a command loads is its chunk plus everything reachable from it by static imports.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { REPO } from '../helpers/cli.ts';

const HEAVY = [/node_modules\/ink\//, /node_modules\/react\//, /node_modules\/react-reconciler\//, /node_modules\/yoga-layout\//];

async function graph() {
  const outdir = mkdtempSync(join(tmpdir(), 'cutover-lazy-'));
  try {
    const { buildOptions } = await import('../../scripts/build-options.mjs');
    const { outfile: _ignored, ...options } = buildOptions(REPO);
    const r = await build({ ...options, outdir, splitting: true, metafile: true, write: false, logLevel: 'error' });
    return r.metafile as Metafile;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Source inputs of `chunk` and of every chunk it reaches by static import, plus external static imports. */
function staticClosure(meta: Metafile, chunk: string): { inputs: Set<string>; externals: Set<string> } {
  const inputs = new Set<string>();
  const externals = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const out = meta.outputs[name]!;
    for (const i of Object.keys(out.inputs)) inputs.add(i);
    for (const imp of out.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) externals.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(chunk);
  return { inputs, externals };
}

test('help, validate, plan and schema load no Ink, React or better-sqlite3', async () => {
  const meta = await graph();
  const chunkOf = (source: string) => Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === source || Object.keys(meta.outputs[o]!.inputs).includes(source));
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === 'bin/cutover.ts')!;
  assert.ok(entry, 'entry chunk found');
  for (const source of ['bin/cutover.ts', 'src/commands/validate.ts', 'src/commands/plan.ts', 'src/commands/schema.ts']) {
    const chunk = source === 'bin/cutover.ts' ? entry : chunkOf(source);
    assert.ok(chunk, `a chunk holds ${source}`);
    const { inputs, externals } = staticClosure(meta, chunk);
    const heavy = [...inputs].filter((i) => HEAVY.some((h) => h.test(i)));
    assert.deepEqual(heavy, [], `${source} pulls in ${heavy.slice(0, 3).join(', ')}`);
    assert.ok(![...externals].includes('better-sqlite3'), `${source} imports better-sqlite3`);
  }
  // The check can fail: the cockpit's command does reach Ink.
  const runChunk = chunkOf('src/cockpit/terminal.tsx');
  assert.ok(runChunk && [...staticClosure(meta, runChunk).inputs].some((i) => /node_modules\/ink\//.test(i)), 'the cockpit reaches Ink');
});
