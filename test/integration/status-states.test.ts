// `status` says what is, in every state of the lab, judged against what the journal says should hold now
// (src/engine/expect.ts): exit 0 on a fresh lab before any baseline (smoke cells that need one are pending),
// mid-run between the repoint and the legacy stop (legacy containers Running is expected, no autostart blame),
// after a clean rollback, after a decommission (deleted legacy containers ✓ "deleted by decommission run #N"),
// and on a rebuilt lab whose baseline belongs to the old instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { runCli } from '../helpers/cli.ts';

const CUTOVER = 'runbooks/lab/posta-cutover.toml';
const DECOM = 'runbooks/lab/posta-decommission.toml';

interface StatusDoc {
  ok: boolean | null;
  world?: { kind: string; text: string };
  containers: { items: { name: string; ok: boolean | null; actual: string; why?: string }[] };
  smoke: { items: { ok: boolean | null; pending?: string; url?: string; vantage: string }[] };
  tokens: { items: { ok: boolean | null; actual: string }[] };
}

test('status exit 0: fresh lab without baseline, mid-run, after rollback, after decommission, rebuilt lab', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-status-states-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  // Applies take long on a busy machine: a generous timeout (runCli's default is 60 s).
  const cli = (args: string[]) => runCli([...args, '--state', state], { env: lab.env, timeoutMs: 300_000 });
  const status = async (what: string): Promise<StatusDoc> => {
    const r = await cli(['status', CUTOVER, '--json']);
    const doc = JSON.parse(r.stdout) as StatusDoc;
    const red = [...doc.containers.items, ...doc.smoke.items, ...doc.tokens.items].filter((i) => i.ok === false);
    assert.equal(r.code, 0, `${what}: status exit ${r.code}; red: ${JSON.stringify(red, null, 1)}\n${r.stderr}`);
    return doc;
  };

  // Fresh lab, nothing recorded: pending, not red; each probe names the address it went to.
  const fresh = await status('fresh lab before any baseline');
  const pending = fresh.smoke.items.filter((i) => i.pending);
  assert.ok(pending.length > 0, 'the cells needing a baseline are pending');
  assert.match(pending[0]!.pending!, /baseline not recorded yet: step 1 or `status --baseline` records it/);
  assert.ok(fresh.smoke.items.every((i) => i.url), 'every cell says which address it probed');

  // Mid-run: repointed (step 23), legacy containers not stopped yet (step 33).
  const through = await cli(['apply', CUTOVER, '--yes', '--allow-destructive', '--through', 'token-survival']);
  assert.equal(through.code, 0, through.stdout + through.stderr);
  const mid = await status('mid-run between the repoint and the legacy stop');
  for (const c of mid.containers.items.filter((i) => i.name.endsWith('-msg'))) assert.doesNotMatch(c.actual, /autostart/);

  // A clean rollback: the legacy path serves; nothing is red; status, journal and report name the state.
  const rb = await cli(['rollback', CUTOVER, '--yes']);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  const back = await status('after a clean rollback');
  assert.equal(back.world?.kind, 'rolled-back');
  assert.match(back.world!.text, /^rolled back \(run #1\): the legacy containers serve/);
  const text = await cli(['status', CUTOVER]);
  assert.match(text.stdout, /^state: rolled back \(run #1\)/m);
  // verify judges the cutover's criteria (they fail on the legacy path) and says which state it judged.
  const verify = await runCli(['verify', CUTOVER, '--state', state], { env: lab.env, timeoutMs: 300_000 });
  assert.equal(verify.code, 1, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^verify \S+: ✗ FAIL · state: rolled back \(run #1\): the legacy containers serve/m);
  assert.match(verify.stdout, /^state: rolled back \(run #1\)/m);
  const journal = await cli(['journal', CUTOVER]);
  assert.match(journal.stdout, /rolled back: the legacy path runs now; undone \d+ step\(s\) \(\S.*\); kept /);
  const report = await cli(['report', CUTOVER]);
  assert.match(report.stdout, /^## Cutover rolled back/m);
  assert.match(report.stdout, /What runs now: the legacy path/);
  assert.doesNotMatch(report.stdout, /Now served by the `posta`|was not repointed/, 'never that posta serves');

  // The whole cutover again, then the decommission (window waived): the deleted containers are ✓.
  const cut = await cli(['apply', CUTOVER, '--yes', '--allow-destructive']);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  const decom = await cli(['apply', DECOM, '--yes', '--allow-destructive', '--waive-window', '--reason', 'rehearsal: verified end to end', '--acknowledge-logs']);
  assert.equal(decom.code, 0, decom.stdout + decom.stderr);
  const after = await status('after the decommission');
  assert.equal(after.world?.kind, 'decommissioned');
  const arne = after.containers.items.find((i) => i.name === 'arne-msg')!;
  assert.equal(arne.ok, true);
  assert.match(arne.actual, /^deleted by decommission run #\d+ \(archive \/\S+\)$/);

  // A rebuilt lab (same names, new instances) with the old state: the old baseline is from another world.
  const up = await lab.cli(['lab', 'up', '--dir', lab.dir]);
  assert.equal(up.code, 0, up.stderr);
  const rebuilt = await status('a rebuilt lab');
  assert.ok(rebuilt.smoke.items.some((i) => i.pending && /on other instances/.test(i.pending)) || rebuilt.smoke.items.every((i) => i.ok === true), JSON.stringify(rebuilt.smoke.items.slice(0, 2)));
});
