// #15 "adding an action touches one file plus the registry line": an action defined here alone (one object, as a
// module src/actions/<name>.ts would export it) and added to a copy of the registry (the one line) is checked by
// the runbook loader, expanded with its defaults, planned, offered by the JSON Schema, shown by the cockpit's
// state, run and journaled by the runner, undone by its rollback, and given its row in docs/runbook.md's actions
// table by the generator (scripts/gen-runbook-doc.ts), with nothing else in the sources naming it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { CATALOG, REGISTRY } from '../../src/actions/index.ts';
import type { Action } from '../../src/actions/types.ts';
import { tmpl } from '../../src/runbook/schema.ts';
import { cockpitOf, type ActionCatalog } from '../../src/runbook/catalog.ts';
import { checkRunbookText } from '../../src/runbook/load.ts';
import { describeRollback, describeStep } from '../../src/runbook/describe.ts';
import { runbookJsonSchema } from '../../src/runbook/json-schema.ts';
import { withActionsTable } from '../../src/runbook/actions-doc.ts';
import { changedSteps } from '../../src/journal/changes.ts';
import { openRun } from '../../src/runner/index.ts';
import { HostRuntime } from '../../src/adapters/host.ts';
import { failedHint, initialState } from '../../screens/state/reducer.ts';
import { bindingActsOn } from '../../screens/state/selectors.ts';
import { REPO } from '../helpers/cli.ts';

const NAME = 'test.echo';
const said: string[] = [];
const undone: string[] = [];

/** The whole action: what src/actions/test-echo.ts would hold. */
const echo: Action = {
  params: z.strictObject({ container: tmpl, text: z.string().min(1), times: z.number().int().min(1).default(2) }),
  example: { container: 'here', text: 'hello' },
  doc: { keys: '`container`, `text`, `times` (2)', does: 'says `text` `times` times | then takes it back' },
  plan: (p) => [`echo ${String(p.text)} (${String(p.times)} times) in ${String(p.container)}`],
  undo: {
    kind: 'auto',
    plan: (step) => `auto: take back "${String(step.params.text)}"`,
    byHand: (changed) => [`unsay ${String((changed as { said?: string } | null)?.said ?? '?')}`],
    async run(_step, changed) {
      undone.push(String(changed.said));
      return { summary: `took back ${String(changed.said)}` };
    },
  },
  preflight: { none: 'says something; nothing to look at before the outage' },
  cockpit: { bindings: ['acknowledge'], failed: { code: 'not-acknowledged', hint: 'a acknowledges the echo.' } },
  async run(step, ctx) {
    const text = await ctx.resolve(String(step.params.text));
    ctx.intend?.({ said: text });
    said.push(...Array.from({ length: Number(step.params.times) }, () => text));
    return { summary: `said ${text} ×${String(step.params.times)}`, changed: { said: text } };
  },
};

/** The registry with the one line added. */
const registry = { ...REGISTRY, [NAME]: echo };
const catalog: ActionCatalog = registry;

const RUNBOOK = `[runbook]
name = "echoes"
host = "nowhere"

[[containers]]
name = "here"
role = "other"

[[steps]]
id = "shout"
title = "shout in {{runbook.name}}"
action = "${NAME}"
container = "here"
text = "hello from {{runbook.name}}"
destructive = true
rollback = "auto"
`;

test('a runbook naming the action: unknown to the shipped registry, loaded, expanded and planned with the one added', () => {
  const without = checkRunbookText(RUNBOOK, 'echoes.toml', { catalog: CATALOG, env: {} });
  assert.deepEqual(
    without.problems.map((p) => `${p.line}: ${p.message}`),
    [`12: unknown action "${NAME}"`],
  );

  const loaded = checkRunbookText(RUNBOOK, 'echoes.toml', { catalog, env: {} });
  assert.deepEqual(loaded.problems, []);
  const [step] = loaded.steps!;
  assert.equal(step!.action, NAME);
  assert.equal(step!.title, 'shout in echoes');
  assert.deepEqual(step!.params, { container: 'here', text: 'hello from echoes', times: 2 }, 'templates rendered, the default applied');
  assert.deepEqual(step!.rollback, { kind: 'auto' });
  assert.ok(JSON.parse(JSON.stringify(loaded.steps)), 'the resolved plan stays plain data (it is journaled)');

  assert.deepEqual(describeStep(step!, loaded.runbook!, catalog), ['echo hello from echoes (2 times) in here']);
  assert.equal(describeRollback(step!, loaded.runbook!, catalog), 'auto: take back "hello from echoes"');

  const bad = checkRunbookText(RUNBOOK.replace('text = ', 'txet = '), 'echoes.toml', { catalog, env: {} });
  assert.deepEqual(
    bad.problems.map((p) => p.message).sort(),
    ['required key "text" is missing', 'unknown key "txet" (did you mean "text"?)'],
  );
});

test('the JSON Schema offers it, the cockpit state knows its binding and failure hint', () => {
  assert.ok(JSON.stringify(runbookJsonSchema(catalog)).includes(`"const":"${NAME}"`));
  assert.ok(!JSON.stringify(runbookJsonSchema(CATALOG)).includes(NAME));

  const steps = checkRunbookText(RUNBOOK, 'echoes.toml', { catalog, env: {} }).steps!;
  const state = initialState({ runbook: { name: 'echoes' }, steps, actions: cockpitOf(catalog), outageBudgetMs: 60_000, driver: { name: 'me' }, now: 0 });
  assert.ok(bindingActsOn(state, 'acknowledge', NAME));
  assert.ok(!bindingActsOn(state, 'waive', NAME));
  assert.deepEqual(failedHint(state, NAME, 'not-acknowledged'), { text: 'a acknowledges the echo.', gate: true });
  const shipped = initialState({ runbook: { name: 'echoes' }, steps, actions: cockpitOf(CATALOG), outageBudgetMs: 60_000, driver: { name: 'me' }, now: 0 });
  assert.ok(!bindingActsOn(shipped, 'acknowledge', NAME));
});

test('docs/runbook.md: the generator gives it its row from its own descriptor, after the shipped ones, changing nothing else', () => {
  const doc = readFileSync(join(REPO, 'docs/runbook.md'), 'utf8');
  assert.ok(!doc.includes(NAME));
  const generated = withActionsTable(doc, catalog);
  const row = `| \`${NAME}\` | \`container\`, \`text\`, \`times\` (2) | says \`text\` \`times\` times \\| then takes it back |`;
  const last = Object.keys(REGISTRY).at(-1)!;
  const lastShipped = doc.split('\n').find((l) => l.startsWith(`| \`${last}\` |`))!;
  assert.equal(generated, doc.replace(`${lastShipped}\n`, `${lastShipped}\n${row}\n`));
  assert.equal(withActionsTable(doc, CATALOG), doc, 'the shipped registry generates the file as it is');
});

test('the runner runs it, journals it, undoes it by its own undo and spells the undo by hand', async (t) => {
  said.length = 0;
  undone.length = 0;
  const dir = mkdtempSync(join(tmpdir(), 'cutover-echo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runbookPath = join(dir, 'echoes.toml');
  writeFileSync(runbookPath, RUNBOOK);
  const run = await openRun({ runbookPath, stateDir: join(dir, 'state'), env: { HOME: dir, PATH: process.env.PATH }, runtime: new HostRuntime(), actions: registry });
  try {
    const out = await run.runStep('shout');
    assert.equal(out.state, 'succeeded', out.error);
    assert.deepEqual(said, ['hello from echoes', 'hello from echoes']);
    const record = run.journal.stepStates(run.runId).get('shout');
    assert.equal(record?.state, 'succeeded');
    assert.deepEqual(changedSteps(run.journal.stepStates(run.runId).values(), catalog).map((c) => c.key), ['shout']);
    assert.deepEqual(run.manualUndo(['shout']), [{ key: 'shout', commands: ['unsay hello from echoes'] }]);
    const back = await run.rollback();
    assert.deepEqual(
      back.entries.map((e) => `${e.key} ${e.result}: ${e.summary}`),
      ['shout undone: took back hello from echoes'],
    );
    assert.deepEqual(undone, ['hello from echoes']);
  } finally {
    await run.close();
  }
});

test('nothing in the sources names the added action: the test file and the registry line are all it took', () => {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(REPO, d))) {
      const p = join(d, name);
      if (statSync(join(REPO, p)).isDirectory()) walk(p);
      else if (/\.(ts|tsx|md|toml)$/.test(name) && readFileSync(join(REPO, p), 'utf8').includes(NAME)) hits.push(p);
    }
  };
  for (const d of ['src', 'screens', 'checks', 'scripts', 'docs']) walk(d);
  assert.deepEqual(hits, []);
});
