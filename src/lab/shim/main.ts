// Entry of the lab's `incus` executable (bundled into <lab>/lib/incus.mjs at `lab up`; kept free of
// heavy imports so every call stays well under 100 ms).
import { readFileSync } from 'node:fs';
import { runIncus } from './incus.ts';

const dir = process.env.CUTOVER_LAB_SHIM_DIR;
if (!dir) {
  process.stderr.write('Error: CUTOVER_LAB_SHIM_DIR is not set (run the lab incus through <lab>/bin/incus)\n');
  process.exit(1);
}
const code = await runIncus(
  dir,
  process.argv.slice(2),
  { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
  () => readFileSync(0),
);
process.exitCode = code;
