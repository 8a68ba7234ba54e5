// The registry (src/runbook/actions/index.ts) is the only list of actions. Every action listed there has its
// descriptor complete: step params with a valid example, plan text, what the preflight checks about it (or
// why nothing), an executor, and an undo in the executor exactly when the descriptor declares "auto" — else a
// declared "none" with its reason (so no undo function exists that can never run).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DESCRIPTORS, ACTIONS, AUTO_UNDO_ACTIONS } from '../../src/runbook/actions/index.ts';
import type { ActionDescriptor } from '../../src/runbook/actions/types.ts';
import { EXECUTORS, executorFor } from '../../src/actions/index.ts';
import { checkRunbookText, loadRunbook } from '../../src/runbook/load.ts';
import { runbookJsonSchema } from '../../src/runbook/json-schema.ts';
import { KEYMAP } from '../../screens/keymap.ts';
import { REPO } from '../helpers/cli.ts';

const rb = loadRunbook(`${REPO}/runbooks/posta-cutover.toml`).runbook;
const descriptors = Object.entries(DESCRIPTORS) as [string, ActionDescriptor][];

test('the registry lists the actions, and the executors are keyed by exactly that list', () => {
  assert.ok(ACTIONS.length >= 20, `only ${ACTIONS.length} actions listed`);
  assert.deepEqual(Object.keys(EXECUTORS).sort(), [...ACTIONS].sort());
  assert.equal(executorFor('no.such.action'), undefined);
  assert.equal(executorFor('toString'), undefined);
});

test('every action has params with a valid example, and plan text for it', () => {
  assert.ok(rb, 'runbooks/posta-cutover.toml loads');
  const wrong: string[] = [];
  for (const [name, d] of descriptors) {
    const parsed = d.params.safeParse(d.example);
    if (!parsed.success) {
      wrong.push(`${name}: its example does not fit its params: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      continue;
    }
    const lines = d.plan(parsed.data as Record<string, unknown>, rb!);
    if (!Array.isArray(lines) || !lines.length || lines.some((l) => typeof l !== 'string' || !l.trim())) wrong.push(`${name}: no plan text (${JSON.stringify(lines)})`);
  }
  assert.deepEqual(wrong, []);
});

test('every action says what the preflight checks about it, or why nothing', () => {
  const wrong = descriptors.filter(([, s]) => !('checks' in s.preflight ? s.preflight.checks.trim() : s.preflight.none.trim())).map(([n]) => n);
  assert.deepEqual(wrong, []);
});

test('every action has an executor; an undo exactly when it declares "auto", else a declared "none" with its reason', () => {
  const wrong: string[] = [];
  for (const [name, d] of descriptors) {
    const ex = executorFor(name);
    if (typeof ex?.run !== 'function') wrong.push(`${name}: no execute`);
    const hasUndo = typeof ex?.undo === 'function';
    if (d.undo.kind === 'auto' && !hasUndo) wrong.push(`${name}: declares an automatic undo, but its executor has none`);
    if (d.undo.kind === 'none') {
      if (!d.undo.reason.trim()) wrong.push(`${name}: "none" without a reason`);
      if (hasUndo) wrong.push(`${name}: its executor has an undo that can never run (the descriptor declares none: ${d.undo.reason})`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(AUTO_UNDO_ACTIONS.length > 0);
});

test('the published JSON Schema offers exactly the registry\'s actions', () => {
  const schema = JSON.stringify(runbookJsonSchema());
  for (const a of ACTIONS) assert.ok(schema.includes(`"const":"${a}"`), `${a} missing from the JSON Schema`);
});

test('the cockpit bindings an action names exist in the keymap, and its failure hint names their keys', () => {
  const wrong: string[] = [];
  for (const [name, d] of descriptors) {
    for (const id of d.cockpit?.bindings ?? []) {
      const b = KEYMAP.find((k) => k.id === id);
      if (!b) wrong.push(`${name}: no binding "${id}" in screens/keymap.ts`);
      else if (d.cockpit?.failed && !b.keys.some((k) => d.cockpit!.failed!.hint.includes(`${k} `))) wrong.push(`${name}: the failure hint does not name the key of "${id}" (${b.keys.join(', ')})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('docs/runbook.md: one row per registered action in its action table, and the actions with rollback = "auto" are the registry\'s', () => {
  const doc = readFileSync(`${REPO}/docs/runbook.md`, 'utf8');
  const table = doc.slice(doc.indexOf('### Actions and their keys'));
  const rows = [...table.slice(0, table.indexOf('```')).matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!));
  assert.deepEqual([...rows].sort(), [...ACTIONS].sort(), 'the action table lists exactly the registered actions');
  const autoRow = doc.split('\n').find((l) => l.startsWith('| `rollback` |'));
  assert.ok(autoRow, 'the step table documents rollback');
  const named = [...autoRow!.slice(autoRow!.indexOf('`auto` for actions'), autoRow!.indexOf(');')).matchAll(/`([a-z.]+)`/g)].map((m) => m[1]!).filter((a) => a !== 'auto');
  assert.deepEqual(named.sort(), [...AUTO_UNDO_ACTIONS].sort());
});

test('copy.source_service can be set (the daemon the offline SQLite copy needs stopped), and defaults to posta', () => {
  const text = readFileSync(`${REPO}/runbooks/posta-cutover.toml`, 'utf8');
  const at = 'to = "{{identity.data_dir}}/inbox.db"\nmode = "0600"\nsqlite = true\n';
  assert.ok(text.includes(at), 'the example runbook has its SQLite copy step');
  const copies = (t: string) => {
    const r = checkRunbookText(t, 'posta-cutover.toml', { env: {} });
    assert.deepEqual(r.problems, []);
    return r.steps!.filter((s) => s.action === 'copy' && s.params.sqlite === true);
  };
  assert.ok(copies(text).length > 0);
  assert.ok(copies(text).every((s) => s.params.source_service === 'posta'));
  const set = copies(text.replace(at, `${at}source_service = "posta-legacy"\n`));
  assert.ok(set.length > 0 && set.every((s) => s.params.source_service === 'posta-legacy'));
});
