// docs/runbook.md documents every field of the schema: a field added to the schema without a line in the
// doc fails here, naming it. Its actions table is generated from the registry (npx tsx scripts/gen-runbook-doc.ts):
// a stale table fails here too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { CATALOG, REGISTRY } from '../../src/actions/index.ts';
import { ACTIONS_BEGIN, ACTIONS_END, withActionsTable } from '../../src/runbook/actions-doc.ts';
import { ContainerDecl, IdentityDecl, ProxyConfig, RunbookMeta, RuntimeConfig, SmokeCheck, StepBase, TokensConfig } from '../../src/runbook/schema.ts';
import { BASELINE_FIELDS, CONTAINER_FIELDS, IDENTITY_FIELDS, RUNBOOK_FIELDS } from '../../src/runbook/template.ts';

const doc = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
const documented = (name: string) => doc.includes(`\`${name}\``) || doc.includes(`\`${name} `) || doc.includes(`, ${name}`) || doc.includes(`.${name}\``);

const sections = { '[runbook]': RunbookMeta, '[runtime]': RuntimeConfig, '[[containers]]': ContainerDecl, '[proxy]': ProxyConfig, '[[identities]]': IdentityDecl, '[[smoke]]': SmokeCheck, '[tokens]': TokensConfig, '[[steps]]': StepBase };

test('every section key of the schema is documented in docs/runbook.md', () => {
  const missing: string[] = [];
  for (const [section, schema] of Object.entries(sections)) {
    assert.ok(doc.includes(`\`${section}\``), `section ${section} has no heading`);
    for (const key of Object.keys(schema.shape)) if (!documented(key)) missing.push(`${section}.${key}`);
  }
  assert.deepEqual(missing, []);
});

test('docs/runbook.md\'s actions table is exactly what the registry generates (run: npx tsx scripts/gen-runbook-doc.ts)', () => {
  assert.ok(doc.includes(ACTIONS_BEGIN) && doc.includes(ACTIONS_END), 'the actions table markers are in docs/runbook.md');
  assert.equal(doc, withActionsTable(doc, CATALOG), 'docs/runbook.md is stale: run npx tsx scripts/gen-runbook-doc.ts');
});

test('every action has its row, and the row names each of its keys', () => {
  const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
  const missing: string[] = [];
  for (const [action, { params }] of Object.entries(REGISTRY)) {
    const row = rows.filter((r) => r.startsWith(`| \`${action}\` |`));
    if (row.length !== 1) missing.push(`${action} (${row.length} rows)`);
    for (const key of Object.keys(params.shape)) if (!row[0]?.includes(`\`${key}\``)) missing.push(`${action}.${key}`);
  }
  assert.deepEqual(missing, []);
});

test('the generator rewrites only the block between the markers', () => {
  const before = `# t\n\nintro\n${ACTIONS_BEGIN}\nold | row\n${ACTIONS_END}\ntail\n`;
  const after = withActionsTable(before, CATALOG);
  assert.ok(after.startsWith(`# t\n\nintro\n${ACTIONS_BEGIN}\n\n| action | keys (defaults) | does |\n`));
  assert.ok(after.endsWith(`\n\n${ACTIONS_END}\ntail\n`));
  assert.ok(!after.includes('old | row'));
  assert.equal(withActionsTable(after, CATALOG), after, 'idempotent');
  assert.throws(() => withActionsTable('# no markers\n', CATALOG), /markers/);
});

test('every template variable is documented', () => {
  const names = [...IDENTITY_FIELDS.map((f) => `identity.${f}`), ...CONTAINER_FIELDS.map((f) => `container.${f}`), ...RUNBOOK_FIELDS.map((f) => `runbook.${f}`), ...BASELINE_FIELDS.map((f) => `baseline.${f}`)];
  const missing = names.filter((n) => {
    const [ns, field] = n.split('.');
    return !doc.includes(`{{${n}}}`) && !(doc.includes(`{{${ns}.`) && doc.includes(`.${field}`));
  });
  assert.deepEqual(missing, []);
  for (const t of ['{{ip("posta")}}', '{{now}}', '{{env.NAME}}', '{{#identities}}', '{{#legacy_containers}}']) assert.ok(doc.includes(t), t);
});
