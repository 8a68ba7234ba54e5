// docs/runbook.md documents every field of the schema: a field added to the schema without a line in the
// doc fails here, naming it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { REGISTRY } from '../../src/actions/index.ts';
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

test('every action and each of its keys is documented', () => {
  const missing: string[] = [];
  for (const [action, { params }] of Object.entries(REGISTRY)) {
    if (!doc.includes(`\`${action}\``)) missing.push(action);
    for (const key of Object.keys(params.shape)) if (!documented(key)) missing.push(`${action}.${key}`);
  }
  assert.deepEqual(missing, []);
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
