// One malformed runbook per rule: `cutover validate` (the real binary) exits 2 and names the line and the
// problem. Each case breaks the valid test/fixtures/runbooks/minimal.toml in one place; nothing is executed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../helpers/cli.ts';

const BASE = readFileSync(`${REPO}test/fixtures/runbooks/minimal.toml`, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'cutover-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 1-based line of the first line containing `needle` (after the line containing `from`, if given). */
function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split('\n');
  const start = from === undefined ? 0 : lines.findIndex((l) => l.includes(from));
  assert.ok(start >= 0, `anchor ${from} not found`);
  const i = lines.findIndex((l, k) => k >= start && l.includes(needle));
  assert.ok(i >= 0, `"${needle}" not in the mutated runbook`);
  return i + 1;
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `"${from}" must occur exactly once in the base runbook`);
  return text.replace(from, to);
}

interface Case {
  name: string;
  mutate: (base: string) => string;
  /** Needle (and optional anchor) whose line the problem must point at. */
  at: [needle: string, from?: string];
  /** Key path printed after FILE:LINE:, or 'syntax' for FILE:LINE:COL: TOML syntax errors. */
  path: string;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'TOML syntax: missing value', mutate: (b) => replaceOnce(b, 'host = "testhost"', 'host = '), at: ['host = '], path: 'syntax', message: /TOML syntax error: Unexpected character/ },
  { name: 'TOML syntax: unterminated string', mutate: (b) => replaceOnce(b, 'service = "app"\ndestructive', 'service = "app\ndestructive'), at: ['service = "app'], path: 'syntax', message: /TOML syntax error: Unterminated string/ },
  { name: 'TOML syntax: key defined twice', mutate: (b) => replaceOnce(b, 'outage_budget = "2m"', 'outage_budget = "2m"\nhost = "again"'), at: ['host = "again"'], path: 'syntax', message: /TOML syntax error: Can't redefine existing key/ },
  { name: 'unknown action, with suggestion', mutate: (b) => replaceOnce(b, 'action = "service.stop"', 'action = "servce.stop"'), at: ['servce.stop'], path: 'steps[1].action', message: /unknown action "servce.stop" \(did you mean "service.stop"\?\)/ },
  { name: 'duplicate step id', mutate: (b) => replaceOnce(b, 'id = "smoke-public"', 'id = "repoint"'), at: ['id = "repoint"', 'title = "repoint the proxy"'], path: 'steps[4].id', message: /duplicate step id "repoint" \(first declared at line \d+\)/ },
  { name: 'for_each over an unknown collection', mutate: (b) => replaceOnce(b, 'for_each = "legacy_containers"', 'for_each = "legacy_containerz"'), at: ['legacy_containerz'], path: 'steps[5].for_each', message: /for_each over unknown collection "legacy_containerz".*did you mean "legacy_containers"/ },
  { name: 'step names an undeclared container', mutate: (b) => replaceOnce(b, 'to_container = "new"', 'to_container = "neww"'), at: ['"neww"'], path: 'steps[2].to_container', message: /container "neww" is not declared in \[\[containers\]\] \(did you mean "new"\?\)/ },
  { name: 'step names an undeclared identity', mutate: (b) => replaceOnce(b, 'checks = ["actor"]', 'checks = ["actor"]\nidentities = ["a", "c"]'), at: ['identities = ["a", "c"]'], path: 'steps[4].identities[1]', message: /identity "c" is not declared/ },
  { name: 'step names an undeclared site', mutate: (b) => replaceOnce(b, 'upstream = ', 'sites = ["c.example.test"]\nupstream = '), at: ['c.example.test'], path: 'steps[3].sites[0]', message: /site "c.example.test" is not declared/ },
  { name: 'destructive step without rollback', mutate: (b) => replaceOnce(b, 'destructive = true\nrollback = "auto"', 'destructive = true'), at: ['[[steps]]', 'action = "copy"'], path: 'steps[3]', message: /destructive step "repoint" needs a rollback/ },
  { name: 'rollback = "none" without rollback_reason', mutate: (b) => replaceOnce(b, 'destructive = true\nrollback = "auto"', 'destructive = true\nrollback = "none"'), at: ['rollback = "none"'], path: 'steps[3].rollback', message: /rollback = "none" needs rollback_reason/ },
  { name: 'rollback = "auto" on an action without its own undo', mutate: (b) => replaceOnce(b, 'rollback = { action = "service.start", container = "{{identity.legacy_container}}", service = "app" }', 'rollback = "auto"'), at: ['rollback = "auto"', 'id = "stop-old"'], path: 'steps[1].rollback', message: /action "service.stop" has no automatic undo/ },
  { name: 'template variable that does not exist', mutate: (b) => replaceOnce(b, 'title = "copy keys for {{identity.slug}}"', 'title = "copy keys for {{identity.slgu}}"'), at: ['identity.slgu'], path: 'steps[2].title', message: /unknown template variable "identity.slgu"/ },
  { name: 'identity template outside for_each', mutate: (b) => replaceOnce(b, 'title = "repoint the proxy"', 'title = "repoint {{identity.slug}}"'), at: ['repoint {{identity.slug}}'], path: 'steps[3].title', message: /"\{\{identity.slug\}\}" is only bound inside for_each = "identities"/ },
  { name: 'unknown template section', mutate: (b) => replaceOnce(b, 'title = "public smoke"', 'title = "{{#people}}x{{/people}}"'), at: ['{{#people}}'], path: 'steps[4].title', message: /unknown section "\{\{#people\}\}"/ },
  { name: 'ip() of an undeclared container', mutate: (b) => replaceOnce(b, 'upstream = "{{ip(\\"new\\")}}:80"', 'upstream = "{{ip(\\"nowhere\\")}}:80"'), at: ['nowhere'], path: 'steps[3].upstream', message: /names container "nowhere", which is not declared/ },
  { name: 'identity host not in proxy.sites', mutate: (b) => replaceOnce(b, 'host = "b.example.test"', 'host = "bb.example.test"'), at: ['host = "bb.example.test"'], path: 'identities[1].host', message: /identity host "bb.example.test" is not one of proxy.sites \(did you mean "b.example.test"\?\)/ },
  { name: 'relative container path', mutate: (b) => replaceOnce(b, 'data_dir = "/var/lib/app/a"', 'data_dir = "var/lib/app/a"'), at: ['data_dir = "var/lib/app/a"'], path: 'identities[0].data_dir', message: /must be an absolute path/ },
  { name: 'traversing container path', mutate: (b) => replaceOnce(b, 'legacy_keys = "/var/lib/app/keys.json"\nlegacy_db = "/var/lib/app/inbox.db"\ndata_dir = "/var/lib/app/b"', 'legacy_keys = "/var/lib/app/../../etc/shadow"\nlegacy_db = "/var/lib/app/inbox.db"\ndata_dir = "/var/lib/app/b"'), at: ['etc/shadow'], path: 'identities[1].legacy_keys', message: /must not contain a "\.\." segment/ },
  { name: 'template that resolves to a relative path', mutate: (b) => replaceOnce(b, 'to = "{{identity.data_dir}}/keys.json"', 'to = "{{identity.slug}}/keys.json"'), at: ['to = "{{identity.slug}}/keys.json"'], path: 'steps[2].to', message: /"a\/keys.json" must be an absolute container path/ },
  { name: 'identity slug not [a-z0-9-]+', mutate: (b) => replaceOnce(b, 'slug = "a"', 'slug = "Arne_1"'), at: ['slug = "Arne_1"'], path: 'identities[0].slug', message: /must match \[a-z0-9-\]\+/ },
  { name: 'step id not [a-z0-9-]+', mutate: (b) => replaceOnce(b, 'id = "repoint"', 'id = "Repoint Proxy"'), at: ['id = "Repoint Proxy"'], path: 'steps[3].id', message: /must match \[a-z0-9-\]\+/ },
  { name: 'condition that does not parse', mutate: (b) => replaceOnce(b, '"status == 200", "body.name', '"status = 200", "body.name'), at: ['status = 200'], path: 'smoke[0].conditions[0]', message: /condition does not parse: no operator in "status = 200"/ },
  { name: 'unknown top-level key, with suggestion', mutate: (b) => replaceOnce(b, 'outage_budget = "2m"', 'outage_budgt = "2m"'), at: ['outage_budgt'], path: 'runbook.outage_budgt', message: /unknown key "outage_budgt" \(did you mean "outage_budget"\?\)/ },
  { name: 'unknown step key, with suggestion', mutate: (b) => replaceOnce(b, 'service = "app"\ndestructive', 'servce = "app"\ndestructive'), at: ['servce = "app"'], path: 'steps[1].servce', message: /unknown key "servce" \(did you mean "service"\?\)/ },
  { name: 'unknown key in a rollback table', mutate: (b) => replaceOnce(b, 'service = "app" }', 'servic = "app" }'), at: ['servic = "app" }'], path: 'steps[1].rollback.servic', message: /unknown key "servic" \(did you mean "service"\?\)/ },
  { name: 'missing required key', mutate: (b) => replaceOnce(b, 'host = "testhost"\n', ''), at: ['[runbook]'], path: 'runbook.host', message: /required key "host" is missing/ },
  { name: 'bad duration', mutate: (b) => replaceOnce(b, 'outage_budget = "2m"', 'outage_budget = "2 minutes"'), at: ['outage_budget'], path: 'runbook.outage_budget', message: /must be a duration like 500ms/ },
  { name: 'unknown smoke check in a smoke step', mutate: (b) => replaceOnce(b, 'checks = ["actor"]', 'checks = ["actr"]'), at: ['checks = ["actr"]'], path: 'steps[4].checks[0]', message: /smoke check "actr" is not declared \(did you mean "actor"\?\)/ },
  { name: 'identity legacy_container not declared', mutate: (b) => replaceOnce(b, 'legacy_container = "old-b"', 'legacy_container = "old-c"'), at: ['legacy_container = "old-c"'], path: 'identities[1].legacy_container', message: /container "old-c" is not declared/ },
];

for (const c of cases) {
  test(`validate: ${c.name}`, async () => {
    const text = c.mutate(BASE);
    const file = join(dir, `${c.name.replace(/[^a-z0-9]+/gi, '-')}.toml`);
    writeFileSync(file, text);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const line = lineOf(text, ...c.at);
    const prefix = c.path === 'syntax' ? new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: `) : `${file}:${line}: ${c.path}: `;
    const hit = r.stderr.split('\n').find((l) => (typeof prefix === 'string' ? l.startsWith(prefix) : prefix.test(l)));
    assert.ok(hit, `expected a problem at ${typeof prefix === 'string' ? prefix : prefix.source}\n--- stderr:\n${r.stderr}`);
    assert.match(hit, c.message);
    assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  });
}

test('validate: every problem is listed, one per line, in line order, with a count', async () => {
  // schema problems (all of them, in one pass)
  let text = replaceOnce(BASE, 'action = "service.stop"', 'action = "servce.stop"');
  text = replaceOnce(text, 'outage_budget = "2m"', 'outage_budgt = "2m"');
  text = replaceOnce(text, 'slug = "a"', 'slug = "A"');
  // reference problems are checked once the schema holds; they too are all listed
  let refs = replaceOnce(BASE, 'id = "smoke-public"', 'id = "repoint"');
  refs = replaceOnce(refs, 'to_container = "new"', 'to_container = "neww"');
  refs = replaceOnce(refs, 'host = "b.example.test"', 'host = "bb.example.test"');
  const expected = [
    [text, ['outage_budgt', 'slug = "A"', 'servce.stop']],
    [refs, ['host = "bb.example.test"', 'to_container = "neww"', 'id = "repoint"']],
  ] as const;
  for (const [i, [content, needles]] of expected.entries()) {
    const file = join(dir, `many-${i}.toml`);
    writeFileSync(file, content);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 4, r.stderr);
    assert.equal(lines[3], `${file}: 3 problems`);
    const want = needles.map((n) => (n === 'id = "repoint"' ? lineOf(content, n, 'title = "repoint the proxy"') : lineOf(content, n)));
    assert.deepEqual(lines.slice(0, 3).map((l) => Number(l.slice(file.length + 1).split(':')[0])), want, r.stderr);
  }
});

test('validate: a missing file exits 2 with a plain message', async () => {
  const r = await runCli(['validate', join(dir, 'nope.toml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.toml: cannot read runbook: no such file/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('validate --json: one document with the problems', async () => {
  const file = join(dir, 'json.toml');
  writeFileSync(file, replaceOnce(BASE, 'action = "service.stop"', 'action = "servce.stop"'));
  const r = await runCli(['validate', '--json', file]);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.valid, false);
  assert.equal(doc.problems.length, 1);
  assert.equal(doc.problems[0].path, 'steps[1].action');
});

test('validate: the fixture and both shipped runbooks are valid', async () => {
  for (const [f, steps] of [['test/fixtures/runbooks/minimal.toml', '6 steps, 10 resolved'], ['runbooks/posta-cutover.toml', null], ['runbooks/posta-decommission.toml', null]] as const) {
    const r = await runCli(['validate', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^${f}: valid \\(\\d+ steps, \\d+ resolved\\)\\n$`));
    if (steps) assert.ok(r.stderr.includes(steps), r.stderr);
  }
});
