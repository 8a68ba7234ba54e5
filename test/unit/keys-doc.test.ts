// docs/keys.md is generated from screens/keymap.ts: this fails when someone changes the keymap and forgets
// to regenerate it (npx tsx scripts/gen-keys-doc.ts), and checks the doc really covers every binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keysMarkdown } from '../../screens/keys-doc.ts';
import { KEYMAP } from '../../screens/keymap.ts';

const doc = readFileSync(new URL('../../docs/keys.md', import.meta.url), 'utf8');

test('docs/keys.md is exactly what the keymap generates (run: npx tsx scripts/gen-keys-doc.ts)', () => {
  assert.equal(doc, keysMarkdown());
});

test('docs/keys.md: every binding is in a table under each of its contexts; dangerous ones are marked driver only', () => {
  const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
  assert.equal(rows.length, KEYMAP.reduce((n, b) => n + b.contexts.length, 0));
  for (const b of KEYMAP) {
    const mine = rows.filter((r) => r.includes(`| ${b.help.replace(/\|/g, '\\|')} |`));
    assert.equal(mine.length, b.contexts.length, b.id);
    for (const r of mine) assert.ok(r.endsWith(b.dangerous ? '| driver only |' : '| yes |'), r);
  }
  for (const id of ['run', 'skip', 'rollback']) assert.ok(KEYMAP.find((b) => b.id === id)?.dangerous, `${id} is dangerous`);
});
