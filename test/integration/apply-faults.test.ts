// Issue 6's fault tests against the lab: each fault makes the cutover fail at the step it should, and each
// ends with every identity served (here: by the legacy path again) and no data lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';
import { openJournal, type StepRecord } from '../../src/journal/index.ts';

interface Scene {
  lab: TestLab;
  state: string;
  caddyfile: string;
  original: Buffer;
  before: ReturnType<typeof legacyData>;
}

async function scene(t: Parameters<typeof startLab>[0], args: string[] = []): Promise<Scene> {
  const lab = await startLab(t, args);
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  return { lab, state: join(lab.dir, 'state'), caddyfile, original: readFileSync(caddyfile), before: legacyData(lab) };
}

const apply = (s: Scene, ...extra: string[]) => s.lab.cli(['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', s.state, ...extra]);

function steps(s: Scene): Map<string, StepRecord> {
  const j = openJournal({ stateDir: s.state, readonly: true });
  try {
    return j.stepStates(j.runs().at(-1)!.id);
  } finally {
    j.close();
  }
}

const caddyBackups = (s: Scene) => readdirSync(join(s.lab.dir, 'caddy')).filter((n) => n.includes('.bak.'));

/** The proxy was never changed: same file, no backup taken. */
function assertProxyUntouched(s: Scene) {
  assert.ok(readFileSync(s.caddyfile).equals(s.original), 'Caddyfile unchanged');
  assert.deepEqual(caddyBackups(s), [], 'no Caddyfile backup: the repoint never started');
  assert.equal(steps(s).get('repoint-caddy'), undefined, 'repoint-caddy never ran');
}

async function assertServedNoDataLost(s: Scene, timeoutMs?: number) {
  await assertAllServed(s.lab, timeoutMs);
  assert.deepEqual(legacyData(s.lab), s.before, 'legacy data equal to before');
  for (const i of s.lab.config.identities) assert.equal((await s.lab.runtime.exec(i.container, ['service', 'posta', 'status'])).exitCode, 0, `${i.container} daemon running again`);
}

/** Runs the preparation (up to the backups) fault-free, then turns a fault on before the rest. */
async function prepareThenFault(s: Scene, fault: string) {
  const prep = await apply(s, '--through', 'backup-legacy');
  assert.equal(prep.code, 0, `${prep.stdout}\n${prep.stderr}`);
  const on = await s.lab.cli(['lab', 'fault', fault, '--dir', s.lab.dir]);
  assert.equal(on.code, 0, on.stderr);
}

test('reload-failure: the repoint auto-reverts (live config equal to before), apply rolls back, all served', async (t) => {
  const s = await scene(t, ['--fault', 'reload-failure']);
  const admin = `http://${s.lab.config.caddy.ip}:${s.lab.config.caddy.adminPort}/config/`;
  const liveBefore = await (await fetch(admin)).json();
  const r = await apply(s);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /✗ +\d+ repoint-caddy: .*lab fault reload-failure/);
  assert.match(r.stdout, /Reverted: .* restored from .*Caddyfile\.bak\.posta-multitenant-cutover-/);
  assert.match(r.stdout, /rolling back/);
  assert.deepEqual(await (await fetch(admin)).json(), liveBefore, 'live config equal to before');
  assert.ok(readFileSync(s.caddyfile).equals(s.original), 'Caddyfile restored byte-identical');
  const repoint = steps(s).get('repoint-caddy');
  assert.equal(repoint?.state, 'rolled-back', 'the failed destructive step is part of the rollback');
  assert.match(repoint?.error ?? '', /lab fault reload-failure/);
  assert.equal(caddyBackups(s).length, 1, 'one backup, taken before the write');
  assert.equal(steps(s).get('smoke-public'), undefined, 'nothing ran after the failed repoint');
  await assertServedNoDataLost(s);
});

test('truncated-copy: the copy fails on sha256 before any proxy change; rollback restarts legacy; all served', async (t) => {
  const s = await scene(t);
  await prepareThenFault(s, 'truncated-copy');
  const r = await apply(s);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /✗ +\d+ copy-keys\[arne\]: .*(differs|sha256)/);
  assertProxyUntouched(s);
  const off = await s.lab.cli(['lab', 'fault', 'truncated-copy', '--off', '--dir', s.lab.dir]);
  assert.equal(off.code, 0);
  // With the fault on, even the rollback's smoke cannot read the token DBs; once it is gone, rollback completes.
  const rb = await s.lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--state', s.state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  await assertServedNoDataLost(s);
});

test('wrong-mode: the copy fails on the mode before any proxy change; apply rolls back; all served', async (t) => {
  const s = await scene(t);
  await prepareThenFault(s, 'wrong-mode');
  const r = await apply(s);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /✗ +\d+ copy-keys\[arne\]: .*mode 0644, expected 0600/);
  assert.match(r.stdout, /rolled back; the legacy path answers/);
  assertProxyUntouched(s);
  await assertServedNoDataLost(s);
});

test('daemon-crash: the new daemon dies, the proxy is never touched, rollback restarts legacy; all served', async (t) => {
  const s = await scene(t, ['--fault', 'daemon-crash']);
  const r = await apply(s);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /✗ +\d+ (start-posta|smoke-local): /);
  assert.match(r.stdout, /rolled back; the legacy path answers/);
  assertProxyUntouched(s);
  await assertServedNoDataLost(s);
});

test('slow-identity: the local smoke fails on the timeout, naming the identity; nothing repointed; all served', async (t) => {
  const s = await scene(t);
  await prepareThenFault(s, 'slow-identity');
  const r = await apply(s);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  const slow = s.lab.config.identities[0]!.slug;
  assert.match(r.stdout, new RegExp(`✗ +\\d+ smoke-local: smoke local failed for ${slow}\\b`));
  assert.match(r.stdout, new RegExp(`${slow} \\w+ \\(local\\): timed out`));
  const others = s.lab.config.identities.slice(1).map((i) => i.slug);
  for (const o of others) assert.ok(!new RegExp(`smoke local failed for .*${o}`).test(r.stdout), `${o} is not blamed`);
  assertProxyUntouched(s);
  // The restarted legacy daemon of the slow identity is slow too (the fault is on); it still answers.
  await assertServedNoDataLost(s, 10_000);
});
