#!/usr/bin/env -S node --v8-pool-size=1 --max-semi-space-size=1
// The flags: one V8 worker thread and a 1 MiB young generation. The cockpit stays up for hours on a shared
// host; with these its resident set stays about 12 MiB lower (bench: cockpit peak RSS), and the CLI commands,
// short or I/O-bound, do not notice. `node bin/cutover.js` works too, without them.
// Runs the single-file bundle (npm run build); falls back to the TypeScript sources through tsx in a
// development checkout that has not been built. CUTOVER_DEV=1 forces the sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cutover.mjs', import.meta.url));
if (!process.env.CUTOVER_DEV && existsSync(bundle)) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cutover.ts');
}
