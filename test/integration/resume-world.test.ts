// Resume checks the world (issue 17): a run left resumable, then the lab rebuilt under it (lab down / lab up:
// same names, new instances, new keys). The resume is refused naming the instance (and the key) that differ,
// with the way out; `journal --abandon N --reason` ends the run (journaled, lease released, never a rollback
// target); a new apply can start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { LAB_RUNBOOK } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { readJournal } from '../helpers/driver.ts';
import { leaseHolder } from '../../src/journal/index.ts';

const cli = (lab: { env: Record<string, string> }, args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });

test('a resumable run on a rebuilt lab: resume refused naming the instance, abandon ends it, a new apply starts', { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  // Outside the lab's dir: lab down removes that, and the journal must outlive the lab.
  const state = mkdtempSync(join(tmpdir(), 'cutover-resume-world-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const first = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--through', 'baseline', '--state', state]);
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.match(first.stdout, /run #1 stays open/);
  const world = readJournal(state, (j) => j.events(1).find((e) => e.kind === 'world'));
  assert.ok(world, 'the world the run works on is journaled');
  assert.ok((world.detail as { instances: Record<string, unknown> }).instances['arne-msg'], 'with the identity of arne-msg');

  // The same lab, untouched: the resume is accepted.
  const same = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--through', 'baseline', '--state', state]);
  assert.equal(same.code, 0, `${same.stdout}\n${same.stderr}`);

  const down = await lab.cli(['lab', 'down', '--dir', lab.dir]);
  assert.equal(down.code, 0, down.stderr);
  const up = await lab.cli(['lab', 'up', '--dir', lab.dir]);
  assert.equal(up.code, 0, up.stderr);

  // A slice without a destructive step: no preflight before it (it would refuse first), straight to the resume.
  const refused = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--through', 'baseline', '--state', state]);
  assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stderr, /run #1 cannot be resumed: the world is not the one it journaled/);
  assert.match(refused.stderr, /instance arne-msg is another instance: created \S+; the run knew created \S+/);
  assert.match(refused.stderr, /key of arne: arne-msg:\/var\/lib\/posta\/keys\.json has fingerprint sha256:\S+; the run's baseline recorded sha256:\S+/);
  assert.match(refused.stderr, /cutover journal runbooks\/lab\/posta-cutover\.toml --abandon 1 --reason "…"/);
  readJournal(state, (j) => {
    assert.equal(j.run(1)?.endedAt, null, 'the refused resume changed nothing');
    assert.equal(j.events(1).filter((e) => e.kind === 'run' && e.state === 'resumed').length, 1, 'only the accepted resume is journaled');
    assert.equal(leaseHolder(j), null, 'the refusal released the lease');
  });
  const noReason = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--abandon', '1']);
  assert.equal(noReason.code, 2);
  assert.match(noReason.stderr, /--abandon 1 needs --reason/);

  const ab = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--abandon', '1', '--reason', 'lab rebuilt under the run']);
  assert.equal(ab.code, 0, `${ab.stdout}\n${ab.stderr}`);
  assert.match(ab.stdout, /run #1 abandoned by .*: lab rebuilt under the run/);
  readJournal(state, (j) => {
    assert.equal(j.run(1)?.outcome, 'abandoned');
    const note = j.events(1).find((e) => e.kind === 'note' && e.state === 'abandoned');
    assert.equal((note?.detail as { reason?: string } | null)?.reason, 'lab rebuilt under the run');
    assert.equal(leaseHolder(j), null, 'the lease is released');
  });
  const again = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--abandon', '1', '--reason', 'twice']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already ended \(abandoned\)/);

  const fresh = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--through', 'baseline', '--state', state]);
  assert.equal(fresh.code, 0, `${fresh.stdout}\n${fresh.stderr}`);
  assert.match(fresh.stdout, /run #2/);
});
