// `cutover status` against the rehearsal lab: green before the cutover; a stopped legacy daemon turns exactly
// that identity red; a hand-edited Caddyfile shows drift; a token removed from a DB fails survival by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startLab } from '../helpers/lab.ts';
import { writeLabStatusRunbook } from '../helpers/status-runbook.ts';
import type { SnapshotResult } from '../../checks/snapshot.ts';

test('status against the lab: green, one daemon down, drift, a lost token', async (t) => {
  const lab = await startLab(t);
  const stateDir = join(lab.dir, 'status-state');
  const rb = writeLabStatusRunbook(lab.dir, join(lab.dir, 'status.toml'), stateDir);
  const status = async (...args: string[]) => {
    const r = await lab.cli(['status', rb, '--json', ...args]);
    let doc: SnapshotResult;
    try {
      doc = JSON.parse(r.stdout) as SnapshotResult;
    } catch {
      throw new Error(`status --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { ...r, doc };
  };
  const red = (doc: SnapshotResult) => [doc.containers, doc.upstreams, doc.smoke, doc.tokens].flatMap((p) => (p.items as { ok: boolean | null; why?: string }[]).filter((i) => i.ok === false));

  // 1. Before the cutover, with a baseline: all green.
  const green = await status('--baseline');
  assert.equal(green.code, 0, `expected all green:\n${green.stderr}\n${JSON.stringify(red(green.doc), null, 1)}`);
  assert.equal(green.doc.ok, true);
  assert.equal(green.doc.phase, 'before');
  assert.equal(green.doc.smoke.items.length, 3 * 5 * 2);
  assert.ok(green.doc.upstreams.items.every((u) => u.ok === true && !u.drift && u.pointsAt?.endsWith('-msg')));
  assert.ok(green.doc.tokens.items.every((i) => i.survived === true && i.schemaVersion === 2));
  assert.ok(!green.stdout.includes(lab.config.identities[0]!.tokens[0]!.token), 'no token secret on stdout');
  const baselineFile = join(stateDir, 'baseline.json');
  assert.equal(statSync(baselineFile).mode & 0o777, 0o600);
  const baseline = readFileSync(baselineFile, 'utf8');
  assert.ok(baseline.includes(lab.config.identities[0]!.publicKey), 'public key captured');
  assert.ok(!lab.config.identities.some((i) => i.tokens.some((tok) => baseline.includes(tok.token))), 'no token secret in the baseline');

  // Human output fits 80 columns.
  const human = await lab.cli(['status', rb]);
  assert.equal(human.code, 0, human.stderr);
  for (const line of human.stdout.trimEnd().split('\n')) assert.ok([...line].length <= 80, `line longer than 80: ${line}`);
  assert.match(human.stdout, /ALL GREEN/);

  // 2. One legacy daemon stopped: exactly that identity is red, and the message names it.
  const stop = await lab.runtime.exec('marcus-msg', ['service', 'posta', 'stop']);
  assert.equal(stop.exitCode, 0, stop.stderr);
  const down = await status();
  assert.equal(down.code, 1);
  const redSmoke = down.doc.smoke.items.filter((i) => i.ok === false);
  assert.ok(redSmoke.length > 0);
  assert.deepEqual([...new Set(redSmoke.map((i) => i.identity))], ['marcus']);
  assert.ok(down.doc.smoke.items.filter((i) => i.identity !== 'marcus').every((i) => i.ok === true));
  assert.ok(redSmoke.every((i) => i.why?.startsWith('marcus ')), JSON.stringify(redSmoke.map((i) => i.why)));
  const humanDown = await lab.cli(['status', rb]);
  assert.match(humanDown.stdout, /✗ marcus .*\(local\)/);
  const start = await lab.runtime.exec('marcus-msg', ['service', 'posta', 'start']);
  assert.equal(start.exitCode, 0, start.stderr);

  // 3. A hand-edited Caddyfile (not reloaded) shows drift on that site.
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  copyFileSync(caddyfile, caddyfile + '.orig');
  const tarald = lab.config.identities.find((i) => i.slug === 'tarald')!;
  const text = readFileSync(caddyfile, 'utf8');
  const edited = text.replace(new RegExp(`(${tarald.host.replaceAll('.', '\\.')} \\{[^}]*reverse_proxy )\\S+`), '$1127.0.10.99:8080');
  assert.notEqual(edited, text, 'edit applied');
  writeFileSync(caddyfile, edited);
  const drift = await status();
  assert.equal(drift.code, 1);
  const driftItems = drift.doc.upstreams.items.filter((u) => u.drift);
  assert.deepEqual(driftItems.map((u) => u.site), [tarald.host]);
  assert.match(driftItems[0]!.why!, /drift/);
  copyFileSync(caddyfile + '.orig', caddyfile);

  // 4. A token removed from a DB: survival fails naming the token.
  const db = new Database(join(lab.dir, 'containers', 'arne-msg', 'rootfs', 'var', 'lib', 'posta', 'inbox.db'));
  try {
    db.prepare("DELETE FROM auth_tokens WHERE name = 'phone'").run();
  } finally {
    db.close();
  }
  const lost = await status();
  assert.equal(lost.code, 1);
  const lostItems = lost.doc.tokens.items.filter((i) => i.ok === false);
  assert.deepEqual(lostItems.map((i) => `${i.identity}/${i.device}:${i.survived}`), ['arne/phone:false']);
  assert.match(lostItems[0]!.why!, /^arne\/phone \(pt_.{3}…\): expected present \(baseline, status --baseline \d{4}-\d\d-\d\d \d\d:\d\d UTC\), got missing from arne-msg:/);
  assert.ok(red(lost.doc).every((i) => i.why?.startsWith('arne/phone')), 'nothing else is red');
});
