// Writes docs/runbook.md's "Actions and their keys" table from the action registry (each action's `doc`):
// npx tsx scripts/gen-runbook-doc.ts. Only the block between the markers changes; the write is atomic.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG } from '../src/actions/index.ts';
import { withActionsTable } from '../src/runbook/actions-doc.ts';

const file = fileURLToPath(new URL('../docs/runbook.md', import.meta.url));
writeFileSync(`${file}.tmp`, withActionsTable(readFileSync(file, 'utf8'), CATALOG));
renameSync(`${file}.tmp`, file);
process.stderr.write(`wrote ${file}\n`);
