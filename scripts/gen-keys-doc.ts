// Writes docs/keys.md from the keymap: npx tsx scripts/gen-keys-doc.ts
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keysMarkdown } from '../screens/keys-doc.ts';

const file = fileURLToPath(new URL('../docs/keys.md', import.meta.url));
writeFileSync(`${file}.tmp`, keysMarkdown());
renameSync(`${file}.tmp`, file);
process.stderr.write(`wrote ${file}\n`);
