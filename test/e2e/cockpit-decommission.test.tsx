// The decommission (runbooks/lab/posta-decommission.toml) driven by keys in the cockpit against a real lab
// after a lab cutover: src/cockpit's driver on the real runner, the real Cockpit rendered by
// ink-testing-library (cheaper than tmux; the tmux e2e files cover the terminal). The blocked stability
// gate shows its earliest date and time left and `w` waives it with a typed reason (journaled who/why);
// the noisy-logs findings need `a` (o shows the lines); a wrong container name deletes nothing, neither
// typed on the screen nor when it reaches the executor; the right names delete; verify still exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { openRun } from '../../src/runner/index.ts';
import { createStore } from '../../src/cockpit/setup.ts';
import { createDriver, showJournal } from '../../src/cockpit/drive.ts';
import { openJournal } from '../../src/journal/index.ts';
import { KEY, renderStore } from '../screen/render.tsx';

const CUTOVER = 'runbooks/lab/posta-cutover.toml';
const DECOM = 'runbooks/lab/posta-decommission.toml';
const LEGACY = ['arne-msg', 'marcus-msg', 'tarald-msg'];
const REASON = 'owner agreed; exports kept';

test('e2e: the lab decommission by keys in the cockpit: waiver typed, logs acknowledged, typed names, nothing deleted on a wrong one', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-decom-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const cut = await lab.cli(['apply', CUTOVER, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  assert.equal((await lab.cli(['lab', 'fault', 'noisy-logs', '--dir', lab.dir])).code, 0);
  assert.equal((await lab.runtime.exec('posta', ['service', 'posta', 'restart'])).exitCode, 0);
  const legacyLeft = async () => (await lab.runtime.list()).map((i) => i.name).filter((n) => n.endsWith('-msg')).sort();

  const env = { ...process.env, ...lab.env, USER: 'e2e-decom' };
  const runner = await openRun({ runbookPath: DECOM, stateDir: state, env, mode: 'run' });
  t.after(() => runner.close());
  const store = createStore(runner.runbook, runner.plan, { readOnly: false, driver: 'e2e-decom' });
  showJournal(store, runner);
  const driver = createDriver(store, runner, { recheck: async () => {} });
  store.onEffect((e) => e.type !== 'quit' && driver.handle(e));
  const s = await renderStore(store, { columns: 120, rows: 30 });
  t.after(() => s.unmount());
  const message = () => s.lines().at(-2)!;
  /** The output pane's text (right of the runbook list), its wrapped lines joined. */
  const pane = () => {
    const lines = s.lines();
    const sep = lines.findIndex((l) => l.startsWith('├─ Runbook'));
    const col = lines[sep]!.indexOf('┬');
    return lines.slice(sep + 1, -2).map((l) => [...l].slice(col + 1, -1).join('').trim()).filter(Boolean).join(' ');
  };
  const stateOf = (key: string) => store.getState().steps.find((v) => v.step.key === key)!.state;
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    await driver.idle();
    await new Promise((r) => setTimeout(r, 30)); // Ink renders the last state
  };

  // The gate blocks: earliest date and time left on the screen, w offered.
  await s.press(KEY.enter, KEY.enter);
  await settle();
  assert.equal(stateOf('stability-window'), 'failed');
  assert.match(pane(), /not before \d{4}-\d\d-\d\d \d\d:\d\d UTC \(earliest date \d{4}-\d\d-\d\d\), [67] d \d+ h left/, 'the earliest date and the time left, on the screen');
  assert.match(message(), /stability-window blocked: w waives the window/);

  // w with an empty reason is refused; a typed reason reaches the runner as the waiver.
  await s.press('w', KEY.enter);
  assert.match(message(), /a waiver needs a reason/);
  await s.type(REASON);
  await s.press(KEY.enter);
  await settle();
  assert.equal(stateOf('stability-window'), 'succeeded', s.text());
  const j = openJournal({ stateDir: state, readonly: true });
  const waivers = j.waivers(runner.runId);
  j.close();
  assert.deepEqual(waivers.map((w) => [w.gate, w.reason]), [['stability', REASON]]);
  assert.match(waivers[0]!.who, /e2e-decom/);

  // The review finds the noisy logs; the cockpit does not acknowledge them by itself.
  await s.press(KEY.enter, KEY.enter);
  await settle();
  assert.equal(stateOf('review-logs'), 'failed');
  assert.match(message(), /review-logs blocked: o shows the lines · a acknowledges them/);
  await s.press('o');
  assert.match(s.text(), /panic: send on closed channel/, 'the matching lines, one key away');
  await s.press(KEY.esc, 'a', 'y');
  await settle();
  assert.equal(stateOf('review-logs'), 'succeeded', s.text());

  await s.press(KEY.enter, KEY.enter); // the operator gate before the deletes
  await settle();
  assert.equal(stateOf('acknowledge'), 'succeeded', s.text());

  const deletes = runner.plan.filter((p) => p.action === 'container.delete').map((p) => p.key);
  assert.equal(deletes.length, 3);
  // A wrong name on the screen: rejected there, nothing runs.
  await s.press(KEY.enter);
  assert.match(message(), /IRREVERSIBLE .*type arne-msg/);
  await s.type('arne-mgs');
  await s.press(KEY.enter);
  assert.match(message(), /"arne-mgs" is not the name/);
  await s.press(KEY.esc);
  assert.deepEqual(await legacyLeft(), LEGACY);
  // A wrong name reaching the executor (a stale or tampered request): it checks the typed name itself.
  const backupsBefore = readdirSync(join(state, 'backups')).sort();
  driver.handle({ type: 'run-step', key: deletes[0]!, typed: 'arne-mgs' });
  await settle();
  assert.equal(stateOf(deletes[0]!), 'failed');
  assert.match(store.getState().steps.find((v) => v.step.key === deletes[0])!.error ?? '', /not deleted: the deletion was not confirmed/);
  assert.deepEqual(await legacyLeft(), LEGACY);
  assert.deepEqual(readdirSync(join(state, 'backups')).sort(), backupsBefore, 'no export before the name is confirmed');

  // The right names, typed: each container goes.
  for (const name of LEGACY) {
    await s.press(KEY.enter);
    assert.match(message(), new RegExp(`IRREVERSIBLE .*type ${name}`));
    await s.type(name);
    await s.press(KEY.enter);
    await settle();
    assert.ok(!(await legacyLeft()).includes(name), `${name} deleted:\n${s.text()}`);
  }
  await s.press(KEY.enter, KEY.enter); // the DEPLOY.md note
  await settle();
  assert.equal(driver.completed(), true, s.text());
  assert.deepEqual(await legacyLeft(), []);
  await runner.close();

  const v = await lab.cli(['verify', CUTOVER, '--state', state]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});
