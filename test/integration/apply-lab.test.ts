// Issue 6's main acceptance, against the rehearsal lab with the real binary: apply → verify → rollback.
// The whole seed 001 cutover runs non-interactively, verifies green, and rolls back byte-identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startLab } from '../helpers/lab.ts';
import { assertAllServed, assertNoSecrets, journalText, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';

const RUNBOOK = LAB_RUNBOOK;
const AUTOSTART_DELAY_MS = 3_000;

test('lab cutover (autostart fault on): apply refuses without --yes / --allow-destructive; apply → verify → rollback restores everything', async (t) => {
  // The autostart fault (seed 000: stopped legacy containers came back at the next boot) is on throughout.
  const lab = await startLab(t, ['--fault', 'autostart']);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const originalCaddyfile = readFileSync(caddyfile);
  const before = legacyData(lab);

  const noYes = await lab.cli(['apply', RUNBOOK, '--state', state]);
  assert.equal(noYes.code, 2, noYes.stderr);
  assert.match(noYes.stderr, /refusing without --yes/);
  const noDestructive = await lab.cli(['apply', RUNBOOK, '--yes', '--state', state]);
  assert.equal(noDestructive.code, 2, noDestructive.stderr);
  for (const key of ['stop-legacy[arne]', 'stop-legacy[tarald]', 'repoint-caddy', 'stop-legacy-containers[marcus-msg]']) assert.ok(noDestructive.stderr.includes(key), `names ${key}:\n${noDestructive.stderr}`);
  assert.ok(!existsSync(join(state, 'journal.sqlite')), 'a refused apply starts no run');

  const apply = await lab.cli(['apply', RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(apply.code, 0, `apply failed:\n${apply.stdout}\n${apply.stderr}`);
  for (const key of ['baseline', 'backup-legacy[arne]', 'copy-db[marcus]', 'repoint-caddy', 'token-survival', 'stop-legacy-containers[tarald-msg]']) assert.match(apply.stdout, new RegExp(`✓ +\\d+ ${key.replace(/[[\]]/g, '\\$&')}: `));
  const stepsOutage = /outage \(from the steps\): (\d\d):(\d\d)/.exec(apply.stdout);
  const clientOutage = /outage seen by clients \(lab device timeline\): ([\d.]+ m?s)/.exec(apply.stdout);
  assert.ok(stepsOutage, apply.stdout);
  assert.ok(clientOutage, apply.stdout);
  // The journal's "$ …" lines are the argv the adapter ran (with the owner flags it adds), not a paraphrase.
  const db = new Database(join(state, 'journal.sqlite'), { readonly: true });
  const copied = db.prepare("SELECT command FROM events WHERE step_key = 'copy-keys[arne]' AND state = 'succeeded'").get() as { command: string } | undefined;
  const stopped = db.prepare("SELECT command FROM events WHERE step_key = 'stop-legacy[arne]' AND state = 'succeeded'").get() as { command: string } | undefined;
  db.close();
  assert.match(copied?.command ?? '', /^incus file pull arne-msg\/var\/lib\/posta\/keys\.json \S+$/m, copied?.command);
  assert.match(copied?.command ?? '', /^incus file push \S+ posta\/var\/lib\/posta\/arne\/keys\.json\S* --mode 0600 --uid \d+ --gid \d+( --create-dirs)?$/m, copied?.command);
  assert.match(stopped?.command ?? '', /^incus exec arne-msg -T -- sh -c '[^']*service "\$1" stop[^']*' sh posta$/m, stopped?.command);
  process.stdout.write(`# lab cutover: outage from the steps ${stepsOutage[1]}:${stepsOutage[2]}, seen by clients ${clientOutage[1]}\n`);

  const verify = await lab.cli(['verify', RUNBOOK, '--state', state]);
  assert.equal(verify.code, 0, `verify failed:\n${verify.stdout}\n${verify.stderr}`);

  const backups = readdirSync(join(lab.dir, 'caddy')).filter((n) => n.startsWith('Caddyfile.bak.posta-multitenant-cutover-'));
  assert.equal(backups.length, 1, backups.join(', '));
  assert.equal(statSync(join(lab.dir, 'caddy', backups[0]!)).mode & 0o777, 0o600);
  assert.ok(readFileSync(join(lab.dir, 'caddy', backups[0]!)).equals(originalCaddyfile), 'the backup is the original');
  const archives = readdirSync(join(state, 'backups')).filter((n) => !n.startsWith('.'));
  assert.ok(archives.filter((n) => n.endsWith('.tar.gz')).length === 3, archives.join(', '));
  for (const n of [...archives.map((a) => join(state, 'backups', a)), join(state, 'journal.sqlite')]) assert.equal(statSync(n).mode & 0o777, 0o600, n);
  // Give the autostart fault its chance (3 s after a stop Incus restarts: boot.autostart=true would bring it back).
  await new Promise((r) => setTimeout(r, AUTOSTART_DELAY_MS + 500));
  for (const i of lab.config.identities) {
    const inst = await lab.runtime.get(i.container);
    assert.equal(inst?.status, 'Stopped', `${i.container} stopped, not deleted, and stays stopped`);
    assert.equal(inst?.config['boot.autostart'], 'false');
  }

  const report = await lab.cli(['report', RUNBOOK, '--state', state]);
  assert.equal(report.code, 0, report.stderr);
  for (const a of archives.filter((n) => n.endsWith('.tar.gz'))) assert.ok(report.stdout.includes(a), `report lists ${a}`);
  assert.ok(report.stdout.includes(backups[0]!), 'report names the Caddyfile backup');
  assert.match(report.stdout, /As clients saw it \(lab device timeline\): longest gap/);
  for (const i of lab.config.identities) assert.match(report.stdout, new RegExp(`\`${i.container}\`: Stopped, autostart off, delete-protected`), 'closing snapshot in the report');
  for (const i of lab.config.identities) for (const check of ['actor', '401', 'setup', '410']) assert.ok(report.stdout.includes(`| ${i.slug} | ${check} |`), `report smoke row ${i.slug} ${check}`);
  assert.match(report.stdout, /#### Rollback procedure\n\nIn one command: `cutover rollback .*posta-cutover\.toml --yes`/);

  const rollback = await lab.cli(['rollback', RUNBOOK, '--yes', '--state', state]);
  assert.equal(rollback.code, 0, `rollback failed:\n${rollback.stdout}\n${rollback.stderr}`);
  assert.ok(readFileSync(caddyfile).equals(originalCaddyfile), 'Caddyfile byte-identical to the original');
  const posta = await lab.runtime.exec('posta', ['service', 'posta', 'status']);
  assert.notEqual(posta.exitCode, 0, 'the new daemon is stopped: answers come from the legacy daemons');
  assert.ok(await lab.runtime.get('posta'), 'the new container is left in place for diagnosis');
  for (const i of lab.config.identities) {
    const inst = await lab.runtime.get(i.container);
    assert.equal(inst?.status, 'Running', i.container);
    assert.equal(inst?.config['boot.autostart'], 'true', `${i.container} autostart back to its value before the cutover (the fault's true, as on fismen)`);
  }
  await assertAllServed(lab);
  assert.deepEqual(legacyData(lab), before, 'legacy data equal to before the cutover');

  assertNoSecrets(lab, { 'apply output': apply.stdout + apply.stderr, 'rollback output': rollback.stdout + rollback.stderr, report: report.stdout, journal: journalText(state) });

  const again = await lab.cli(['rollback', RUNBOOK, '--yes', '--state', state]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already rolled back/);
});
