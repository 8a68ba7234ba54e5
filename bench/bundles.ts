// The bundles the cockpit figures start, built with the product's own esbuild options
// (scripts/build-options.mjs): a bare Ink "hello" (first-frame baseline) and the cockpit with Ink's
// incremental rendering turned off (the full-redraw baseline of the idle bytes/s figure), identical to
// dist/cutover.mjs otherwise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

type Options = (dir: string) => Record<string, unknown>;

async function options(repo: string): Promise<Options> {
  return ((await import(join(repo, 'scripts', 'build-options.mjs'))) as { buildOptions: Options }).buildOptions;
}

export async function buildInkHello(repo: string, outfile: string): Promise<void> {
  const o = (await options(repo))(repo);
  await build({ ...o, entryPoints: [join(repo, 'bench', 'ink-hello.tsx')], outfile, logLevel: 'error' });
}

const INCREMENTAL = 'incrementalRendering: true';

/** Rewrites the one render option in src/cockpit/terminal.tsx; fails if that line is no longer there. */
const fullRedraw: Plugin = {
  name: 'full-redraw',
  setup(b) {
    b.onLoad({ filter: /src[\\/]cockpit[\\/]terminal\.tsx$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (text.split(INCREMENTAL).length !== 2) throw new Error(`${args.path}: expected exactly one "${INCREMENTAL}" to turn off`);
      return { contents: text.replace(INCREMENTAL, 'incrementalRendering: false'), loader: 'tsx' };
    });
  },
};

export async function buildFullRedrawCockpit(repo: string, outfile: string): Promise<void> {
  const o = (await options(repo))(repo);
  await build({ ...o, outfile, plugins: [fullRedraw], logLevel: 'error' });
}
