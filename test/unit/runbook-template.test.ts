// The template language, the key-path locator, for_each expansion and the paths helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderTemplate, templateVariables, checkTemplate, markRuntime, timestamp, TemplateError, type TemplateContext } from '../../src/runbook/template.ts';
import { buildLocator } from '../../src/runbook/locate.ts';
import { checkRunbookText } from '../../src/runbook/load.ts';
import { defaultLabDir, defaultStateDir, labDir } from '../../src/paths.ts';
import { REPO } from '../helpers/cli.ts';
import { CATALOG } from '../../src/actions/index.ts';

const arne = { slug: 'arne', host: 'arne.posta.no', url: 'https://arne.posta.no', legacy_container: 'arne-msg', actor_name: 'Arne', legacy_keys: '/k', legacy_db: '/d', data_dir: '/var/lib/posta/arne', port: 80 };
const marcus = { ...arne, slug: 'marcus', url: 'https://marcus.posta.no', data_dir: '/var/lib/posta/marcus' };
const ctx: TemplateContext = { runbook: { name: 'rb', host: 'fismen' }, identities: [arne, marcus], legacyContainers: [{ name: 'arne-msg', role: 'legacy' }], env: { HOME: '/home/op', FOO: 'bar' } };

test('renderTemplate: identity fields, runbook fields, env, sections', () => {
  assert.equal(renderTemplate('{{identity.data_dir}}/keys.json on {{ runbook.host }}', { ...ctx, identity: arne }), '/var/lib/posta/arne/keys.json on fismen');
  assert.equal(renderTemplate('{{identity.port}}', { ...ctx, identity: arne }), '80');
  assert.equal(renderTemplate('{{env.FOO}}-{{runbook.name}}', ctx), 'bar-rb');
  assert.equal(renderTemplate('{{#identities}}[{{identity.slug}}={{identity.url}}]{{/identities}}', ctx), '[arne=https://arne.posta.no][marcus=https://marcus.posta.no]');
  assert.equal(renderTemplate('{{#legacy_containers}}{{container.name}};{{/legacy_containers}}', ctx), 'arne-msg;');
});

test('renderTemplate: run-time values stay until resolved; markers for plan', () => {
  const t = 'up {{ip("posta")}}:80 key {{baseline.public_key}} at {{now}}';
  assert.equal(renderTemplate(t, { ...ctx, identity: arne }), t);
  const resolved = renderTemplate(t, { ...ctx, identity: arne, now: new Date(2026, 4, 10, 0, 45, 51) }, { ip: (c) => `127.0.10.${c.length}`, baseline: (f, who) => `${f}:${who}` });
  assert.equal(resolved, 'up 127.0.10.5:80 key public_key:arne at 20260510-004551');
  assert.equal(markRuntime(t), 'up <ip of posta>:80 key <baseline public_key> at <now>');
  assert.equal(timestamp(new Date(2026, 0, 2, 3, 4, 5)), '20260102-030405');
});

test('renderTemplate: CUTOVER_LAB_DIR defaults to the XDG state lab dir', () => {
  assert.equal(renderTemplate('{{env.CUTOVER_LAB_DIR}}/caddy', ctx), '/home/op/.local/state/cutover/lab/caddy');
  assert.equal(renderTemplate('{{env.CUTOVER_LAB_DIR}}', { ...ctx, env: { XDG_STATE_HOME: '/x/state' } }), '/x/state/cutover/lab');
  assert.equal(renderTemplate('{{env.CUTOVER_LAB_DIR}}', { ...ctx, env: { CUTOVER_LAB_DIR: '/tmp/lab1', HOME: '/h' } }), '/tmp/lab1');
});

test('renderTemplate: errors say what is wrong', () => {
  assert.throws(() => renderTemplate('{{identity.slug}}', ctx), /only bound inside for_each = "identities"/);
  assert.throws(() => renderTemplate('{{env.NOPE}}', ctx), /environment variable NOPE is not set/);
  assert.throws(() => renderTemplate('{{identity.nope}}', ctx), (e) => e instanceof TemplateError && /unknown template variable "identity.nope"/.test(e.message));
  assert.throws(() => renderTemplate('{{ip(posta)}}', ctx), /unknown template expression/);
  assert.throws(() => renderTemplate('{{#identities}}x', ctx), /never closed/);
  assert.throws(() => renderTemplate('x{{/identities}}', ctx), /without a matching/);
  assert.throws(() => renderTemplate('{{identity.slug', ctx), /unclosed "\{\{"/);
});

test('templateVariables and checkTemplate', () => {
  assert.deepEqual(templateVariables('{{#identities}}{{identity.slug}} {{ip("posta")}}{{/identities}} {{now}}'), ['#identities', 'identity.slug', 'ip("posta")', 'now']);
  const scope = { identity: false, container: false, containers: ['posta'] };
  assert.deepEqual(checkTemplate('{{#identities}}{{identity.slug}}{{/identities}} {{ip("posta")}}', scope), []);
  assert.deepEqual(checkTemplate('{{identity.slug}} {{ip("nope")}}', scope), [
    '"{{identity.slug}}" is only bound inside for_each = "identities" or a {{#identities}} section',
    '"{{ip("nope")}}" names container "nope", which is not declared in [[containers]]',
  ]);
});

test('locator: tables, array tables, inline tables, arrays, multi-line strings', () => {
  const text = ['[runbook]', 'name = "x"', '', '[[steps]]', 'id = "a"', 'content = """', 'id = "not a key"', '"""', '', '[[steps]]', 'id = "b"', 'rollback = { action = "service.start", container = "c" }', 'checks = [', '  "one",', '  "two",', ']', "'quoted.key' = 1"].join('\n');
  const at = buildLocator(text);
  assert.deepEqual(at('runbook.name'), { line: 2, col: 1 });
  assert.equal(at('steps[0]')?.line, 4);
  assert.equal(at('steps[0].id')?.line, 5);
  assert.equal(at('steps[1].id')?.line, 11);
  assert.deepEqual(at('steps[1].rollback.container'), { line: 12, col: 40 });
  assert.equal(at('steps[1].checks[1]')?.line, 15);
  assert.equal(at('steps[1].missing')?.line, 10, 'falls back to the enclosing table');
  assert.equal(at('steps[1].quoted.key')?.line, 17);
  assert.equal(at('nothing'), undefined);
});

test('expansion: keys, indexes, lines, rollback per item, defaults applied', () => {
  const text = readFileSync(`${REPO}runbooks/posta-cutover.toml`, 'utf8');
  const r = checkRunbookText(text, 'posta-cutover.toml', { catalog: CATALOG, env: {} });
  assert.deepEqual(r.problems, []);
  const steps = r.steps!;
  assert.deepEqual(steps.map((s) => s.index), steps.map((_, i) => i + 1));
  const stop = steps.find((s) => s.key === 'stop-legacy[marcus]')!;
  assert.equal(stop.item, 'marcus');
  assert.equal(stop.params.container, 'marcus-msg');
  assert.deepEqual(stop.rollback, { kind: 'step', action: 'service.start', params: { container: 'marcus-msg', service: 'posta' } });
  assert.equal(text.split('\n')[stop.line! - 1], '[[steps]]');
  assert.match(text.split('\n')[stop.line!]!, /id = "stop-legacy"/);
  const copy = steps.find((s) => s.key === 'copy-keys[arne]')!;
  assert.equal(copy.params.owner, '0:0', 'action defaults applied');
  assert.equal(copy.params.sqlite, false);
  assert.equal(steps.find((s) => s.key === 'push-binary')!.rollback.kind, 'none');
  assert.match(r.sha256, /^[0-9a-f]{64}$/);
});

test('paths: XDG state dir, HOME fallback, per-runbook dir', () => {
  assert.equal(defaultLabDir({ HOME: '/home/op' }), '/home/op/.local/state/cutover/lab');
  assert.equal(defaultLabDir({ HOME: '/home/op', XDG_STATE_HOME: '/s' }), '/s/cutover/lab');
  assert.equal(labDir({ HOME: '/h', CUTOVER_LAB_DIR: '/tmp/l' }), '/tmp/l');
  assert.equal(defaultStateDir({ HOME: '/h' }, 'posta-multitenant-cutover'), '/h/.local/state/cutover/posta-multitenant-cutover');
  assert.throws(() => defaultStateDir({ HOME: '/h' }, '../x'), /must match/);
  assert.throws(() => defaultLabDir({}), /neither XDG_STATE_HOME nor HOME/);
});
