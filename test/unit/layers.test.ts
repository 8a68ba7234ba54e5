// Layers point one way (README "Code layout"): a module imports only from its own layer or the layers below it,
// no product path imports the rehearsal lab, the pure layers touch no I/O, and no two modules import each other
// in a circle. The graph is esbuild's own resolution of every source file, so it sees what the bundle sees.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { REPO } from '../helpers/cli.ts';

/** Higher imports lower (or its own layer); never the reverse. Files not listed here fail the test. */
const LAYERS: [RegExp, number, string][] = [
  [/^bin\//, 12, 'bin'],
  [/^src\/cli\//, 11, 'cli'],
  [/^src\/commands\//, 10, 'commands'],
  [/^src\/cockpit\//, 9, 'cockpit'],
  [/^src\/runner\//, 8, 'runner'],
  [/^src\/actions\//, 7, 'actions'],
  [/^src\/report\//, 6, 'report'],
  [/^screens\//, 5, 'screens'],
  [/^src\/journal\//, 5, 'journal'],
  [/^src\/preflight\//, 5, 'preflight'],
  [/^checks\//, 4, 'checks'],
  [/^src\/lab\//, 3, 'lab'],
  [/^src\/caddyfile\//, 3, 'caddyfile'],
  [/^src\/backup\//, 3, 'backup'],
  [/^src\/adapters\//, 2, 'adapters'],
  [/^src\/runbook\//, 2, 'runbook'],
  [/^src\/contract\//, 1, 'contract'],
  [/^src\/engine\//, 1, 'engine'],
  [/^src\/[^/]+\.tsx?$/, 1, 'base'],
];

/** The rehearsal lab is a world of its own: only the `lab` command (and the lab itself) may import it. */
const MAY_IMPORT_LAB = [/^src\/lab\//, /^src\/commands\/lab\.ts$/];

/** Pure layers: no process, file, network or terminal access (DESIGN "Architecture"). */
const PURE = [/^src\/engine\//, /^src\/runbook\//, /^screens\//];
/** The one read of the pure layers: loadRunbook reads the runbook file and hands the text to the pure checkRunbookText. */
const PURE_EXCEPTIONS = new Map([['src/runbook/load.ts', /^node:fs$/]]);
const IMPURE_EXTERNALS = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|dns|tls|worker_threads)$|^(execa|undici|better-sqlite3)$/;
const UI_EXTERNALS = /^(ink|react|react\/jsx-runtime|react\/jsx-dev-runtime|ink-testing-library)$/;

function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(REPO, dir))) {
      const path = join(dir, name);
      if (statSync(join(REPO, path)).isDirectory()) {
        if (name !== 'fixtures') walk(path);
      } else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const root of ['bin', 'src', 'checks', 'screens']) walk(root);
  return out;
}

let cached: Metafile | undefined;
async function graph(): Promise<Metafile> {
  if (cached) return cached;
  const r = await build({
    absWorkingDir: REPO,
    entryPoints: sources(),
    bundle: true,
    write: false,
    metafile: true,
    outdir: 'layers-out',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    jsx: 'automatic',
    logLevel: 'error',
  });
  cached = r.metafile;
  return cached;
}

function layerOf(file: string): [number, string] {
  const hit = LAYERS.find(([re]) => re.test(file));
  if (!hit) throw new Error(`${file} belongs to no layer: add it to LAYERS in test/unit/layers.test.ts`);
  return [hit[1], hit[2]];
}

const isSource = (p: string) => /^(bin|src|checks|screens)\//.test(p) && !p.includes('/fixtures/');

test('no import runs back up the layers, and only the lab command imports the lab', async () => {
  const meta = await graph();
  const wrong: string[] = [];
  for (const [file, input] of Object.entries(meta.inputs)) {
    if (!isSource(file)) continue;
    const [from, fromName] = layerOf(file);
    for (const imp of input.imports) {
      if (imp.external || !isSource(imp.path)) continue;
      const [to, toName] = layerOf(imp.path);
      if (to > from) wrong.push(`${file} (${fromName}) imports ${imp.path} (${toName}, a higher layer)`);
      if (/^src\/lab\//.test(imp.path) && !MAY_IMPORT_LAB.some((re) => re.test(file))) wrong.push(`${file} imports the rehearsal lab (${imp.path})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the pure layers (engine, runbook, screens) import no I/O, and only screens import the UI', async () => {
  const meta = await graph();
  const wrong: string[] = [];
  for (const [file, input] of Object.entries(meta.inputs)) {
    if (!PURE.some((re) => re.test(file))) continue;
    for (const imp of input.imports) {
      if (!imp.external) continue;
      if (IMPURE_EXTERNALS.test(imp.path) && !PURE_EXCEPTIONS.get(file)?.test(imp.path)) wrong.push(`${file} imports ${imp.path}`);
      if (UI_EXTERNALS.test(imp.path) && !file.startsWith('screens/')) wrong.push(`${file} imports ${imp.path}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no circle of imports between source files (type-only imports included)', () => {
  // esbuild drops type-only imports, so this graph is read from the sources' own relative specifiers.
  const edges = new Map<string, string[]>();
  for (const file of sources()) {
    const text = readFileSync(join(REPO, file), 'utf8');
    const specs = [...text.matchAll(/(?:from\s+|import\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
    edges.set(file, specs.map((s) => relative(REPO, join(REPO, dirname(file), s))).filter(isSource));
  }
  const circles = stronglyConnected(edges).filter((c) => c.length > 1);
  assert.deepEqual(circles.map((c) => c.sort().join(' <-> ')), []);
});

/** Tarjan's strongly connected components. */
function stronglyConnected(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp);
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the layer test sees the real graph (a known downward edge is there)', async () => {
  const meta = await graph();
  const cli = meta.inputs['src/cli/commands.ts'];
  assert.ok(cli, 'src/cli/commands.ts is in the graph');
  assert.ok(cli.imports.some((i) => i.path.startsWith('src/commands/')), 'cli imports the commands');
});
