// The registry (src/actions/index.ts) is the only list of actions, one line each, and each action is one module
// src/actions/<name>.ts. Every action listed there is complete: step params with a valid example, plan text, what
// the preflight checks about it (or why nothing), an effect (run), and an undo that runs exactly when it declares
// "auto" — else a declared "none" with its reason (so no undo function exists that can never run).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { actionOf, CATALOG, REGISTRY } from '../../src/actions/index.ts';
import type { Action } from '../../src/actions/types.ts';
import { actionNames, autoUndoActions } from '../../src/runbook/catalog.ts';
import { checkRunbookText, loadRunbook } from '../../src/runbook/load.ts';
import { runbookJsonSchema } from '../../src/runbook/json-schema.ts';
import { KEYMAP } from '../../screens/keymap.ts';
import { REPO } from '../helpers/cli.ts';

const rb = loadRunbook(`${REPO}/runbooks/posta-cutover.toml`, { catalog: CATALOG }).runbook;
const descriptors = Object.entries(REGISTRY) as [string, Action][];
const ACTIONS = actionNames(CATALOG);

test('the registry lists the actions; actionOf answers for exactly those names', () => {
  assert.ok(ACTIONS.length >= 20, `only ${ACTIONS.length} actions listed`);
  for (const a of ACTIONS) assert.equal(actionOf(a), REGISTRY[a as keyof typeof REGISTRY]);
  assert.equal(actionOf('no.such.action'), undefined);
  assert.equal(actionOf('toString'), undefined);
});

test('each action is one module of its own: src/actions/<name>.ts exports it, and only it', async () => {
  const wrong: string[] = [];
  for (const [name, action] of descriptors) {
    const file = `src/actions/${name.replace(/\./g, '-')}.ts`;
    if (!existsSync(`${REPO}/${file}`)) {
      wrong.push(`${name}: no ${file}`);
      continue;
    }
    const mod = (await import(`${REPO}/${file}`)) as Record<string, unknown>;
    const actions = Object.entries(mod).filter(([, v]) => descriptors.some(([, a]) => a === v));
    if (actions.length !== 1 || actions[0]![1] !== action) wrong.push(`${name}: ${file} exports ${actions.map(([k]) => k).join(', ') || 'no action'}`);
  }
  assert.deepEqual(wrong, []);
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

test('every action has an effect; an undo that runs exactly when it declares "auto", else a declared "none" with its reason', () => {
  const wrong: string[] = [];
  for (const [name, d] of descriptors) {
    if (typeof d.run !== 'function') wrong.push(`${name}: no execute`);
    const undo = d.undo as { kind: string; reason?: string; run?: unknown };
    if (undo.kind === 'auto' && typeof undo.run !== 'function') wrong.push(`${name}: declares an automatic undo, but has no undo to run`);
    if (undo.kind === 'none') {
      if (!undo.reason?.trim()) wrong.push(`${name}: "none" without a reason`);
      if ('run' in undo) wrong.push(`${name}: has an undo that can never run (it declares none: ${undo.reason})`);
    }
    if ('undo' in d && typeof (d as { undo: unknown }).undo === 'function') wrong.push(`${name}: an undo outside its declaration`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(autoUndoActions(CATALOG).length > 0);
});

test('an unfinished step\'s intent reads as the record its by-hand undo expects (config.set, file.write)', () => {
  const step = (action: string, params: Record<string, unknown>) => ({ key: 'k', id: 'k', index: 1, title: 'k', action, params, destructive: false, irreversible: false, rollback: { kind: 'auto' as const }, verify: [] });
  const byHandFromIntent = (action: keyof typeof REGISTRY, intent: Record<string, unknown>, params: Record<string, unknown>) => {
    const undo = REGISTRY[action].undo;
    assert.equal(undo.kind, 'auto');
    if (undo.kind !== 'auto') return [];
    return undo.byHand(undo.fromIntent ? undo.fromIntent(intent) : intent, step(action, params), (n) => `lane:${n}`);
  };
  assert.deepEqual(byHandFromIntent('config.set', { container: 'arne-msg', key: 'boot.autostart', previous: '' }, { key: 'boot.autostart' }), ['incus config unset lane:arne-msg boot.autostart']);
  assert.deepEqual(byHandFromIntent('config.set', { container: 'arne-msg', key: 'boot.autostart', previous: 'true' }, { key: 'boot.autostart' }), ['incus config set lane:arne-msg boot.autostart=true']);
  assert.deepEqual(byHandFromIntent('file.write', { container: 'posta', path: '/etc/x', previous: '/state/pre/x' }, { path: '/etc/x' }), ['incus file push -p /state/pre/x lane:posta/etc/x']);
  assert.deepEqual(byHandFromIntent('file.write', { container: 'posta', path: '/etc/x', previous: null }, { path: '/etc/x' }), ['incus exec lane:posta -- rm /etc/x']);
});

test('the published JSON Schema offers exactly the registry\'s actions', () => {
  const schema = JSON.stringify(runbookJsonSchema(CATALOG));
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
  assert.deepEqual(named.sort(), [...autoUndoActions(CATALOG)].sort());
});

test('copy.source_service can be set (the daemon the offline SQLite copy needs stopped), and defaults to posta', () => {
  const text = readFileSync(`${REPO}/runbooks/posta-cutover.toml`, 'utf8');
  const at = 'to = "{{identity.data_dir}}/inbox.db"\nmode = "0600"\nsqlite = true\n';
  assert.ok(text.includes(at), 'the example runbook has its SQLite copy step');
  const copies = (t: string) => {
    const r = checkRunbookText(t, 'posta-cutover.toml', { catalog: CATALOG, env: {} });
    assert.deepEqual(r.problems, []);
    return r.steps!.filter((s) => s.action === 'copy' && s.params.sqlite === true);
  };
  assert.ok(copies(text).length > 0);
  assert.ok(copies(text).every((s) => s.params.source_service === 'posta'));
  const set = copies(text.replace(at, `${at}source_service = "posta-legacy"\n`));
  assert.ok(set.length > 0 && set.every((s) => s.params.source_service === 'posta-legacy'));
});
