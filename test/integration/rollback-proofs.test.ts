// "Rolled back" needs the three proofs of the legacy path (issue 17). Here proof (c) is made to fail: the
// Caddyfile backup the repoint took is edited after the cutover so that arne's site dials the new container
// instead of arne-msg. The undo restores that file faithfully, but the live dials no longer equal what the
// repoint journaled as the original: the rollback ends INCOMPLETE (exit 1) naming proof (c) and arne, never
// "rolled back".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { LAB_RUNBOOK } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { readJournal } from '../helpers/driver.ts';

test('rollback whose live dials differ from the recorded original is INCOMPLETE, naming proof (c) and the identity', { timeout: 600_000 }, async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const cli = (args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });
  const arne = lab.config.identities.find((i) => i.slug === 'arne')!;
  const legacyIp = (await lab.runtime.get(arne.container))!.ipv4!;
  const cut = await cli(['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(cut.code, 0, `${cut.stdout}\n${cut.stderr}`);

  const postaIp = (await lab.runtime.get('posta'))!.ipv4!;
  const dir = join(lab.dir, 'caddy');
  const backup = join(dir, readdirSync(dir).find((n) => n.startsWith('Caddyfile.bak.'))!);
  const text = readFileSync(backup, 'utf8');
  assert.ok(text.includes(`${legacyIp}:8080`), `the backup dials arne-msg at ${legacyIp}`);
  writeFileSync(backup, text.replace(`${legacyIp}:8080`, `${postaIp}:8080`));

  const rb = await cli(['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 1, `${rb.stdout}\n${rb.stderr}`);
  assert.match(rb.stdout, /✓ \(a\) local probes at each legacy container: 15 local checks ok/);
  assert.match(rb.stdout, /✗ \(c\) live proxy dials = the recorded original: FAILED\n\s+arne: arne\.posta\.no dials 127\.0\.10\.14:8080 live, recorded original 127\.0\.10\.11:8080/);
  assert.match(rb.stdout, /rollback of run #1 INCOMPLETE \(not rolled back\): .*\(c\) live proxy dials = the recorded original failed for arne/);
  assert.doesNotMatch(rb.stdout, /rolled back;/);
  assert.notEqual(readJournal(state, (j) => j.run(1)!.outcome), 'rolled-back');

  const report = await cli(['report', LAB_RUNBOOK, '--run', '1', '--state', state]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /\*\*Not proven\*\* after the rollback/);
  assert.match(report.stdout, /- ✗ \(c\) live proxy dials = the recorded original: FAILED/);
});
