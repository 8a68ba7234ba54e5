#!/usr/bin/env node
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
