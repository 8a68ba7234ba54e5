// runtime.remote (#19): the irreversible delete's typed confirmation asks for the container as it is shown
// everywhere else, REMOTE:NAME, and accepts exactly that (the bare name is refused); without a remote the bare
// name stays what is typed. The cockpit's driver checks the typed name against the executor's (bare) name put
// the same way, so what the screen accepted is what deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECOMMISSION_STEPS, freshState } from '../../screens/fixtures/posta.ts';
import type { CockpitState } from '../../screens/state/types.ts';
import { createCockpitStore } from '../../screens/state/store.ts';
import { createDriver } from '../../src/cockpit/drive.ts';
import type { Run, RunHooks } from '../../src/runner/index.ts';
import { initialStore } from '../../src/cockpit/store-init.ts';
import { loadRunbook } from '../../src/runbook/load.ts';
import { KEY, renderScreen, renderStore } from './render.tsx';
import { CATALOG } from '../../src/actions/index.ts';

const message = (lines: string[]) => lines.at(-2)!;

function atDelete(remote?: string): CockpitState {
  const base = freshState({ steps: DECOMMISSION_STEPS });
  return { ...base, runbook: { ...base.runbook, ...(remote ? { remote } : {}) }, steps: base.steps.map((v, i) => (i === 0 ? { ...v, state: 'succeeded' } : v)) };
}

test('typed delete with a remote: the prompt shows REMOTE:NAME, the bare name is refused, REMOTE:NAME runs', async () => {
  const s = await renderScreen(atDelete('fismen'), { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /!! IRREVERSIBLE delete-legacy\[arne\]: type fismen:arne-msg and enter \(esc cancel\) › ▏/);
  await s.type('arne-msg');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /✗ "arne-msg" is not the name: type fismen:arne-msg exactly/);
  assert.deepEqual(s.effects, []);
  await s.type('fismen:arne-msg');
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'delete-legacy[arne]', typed: 'fismen:arne-msg' }]);
  s.unmount();
});

test('typed delete without a remote: the bare name is shown and typed; REMOTE:NAME-looking input is refused', async () => {
  const s = await renderScreen(atDelete(), { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /type arne-msg and enter/);
  await s.type('fismen:arne-msg');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /"fismen:arne-msg" is not the name: type arne-msg exactly/);
  await s.type('arne-msg');
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'delete-legacy[arne]', typed: 'arne-msg' }]);
  s.unmount();
});

/** A run whose one step asks confirmTyped for the bare container name, as container.delete does. */
function fakeRun(remote: string | undefined, answers: boolean[]): Run {
  return {
    plan: DECOMMISSION_STEPS,
    runbook: { runtime: remote ? { remote } : {} },
    states: () => ({}),
    record: () => ({ outcome: null }),
    next: () => ({ done: false }),
    runStep: async (_key: string, hooks: RunHooks) => {
      answers.push(await hooks.confirmTyped!('Delete it? Type its name to go on.', 'arne-msg'));
      return {};
    },
  } as unknown as Run;
}

test('the driver passes the typed REMOTE:NAME to the executor as the confirmation of the bare name; the bare name is not it', async () => {
  for (const [remote, typed, want] of [
    ['fismen', 'fismen:arne-msg', true],
    ['fismen', 'arne-msg', false],
    [undefined, 'arne-msg', true],
    [undefined, 'fismen:arne-msg', false],
  ] as const) {
    const store = createCockpitStore(atDelete(remote));
    const answers: boolean[] = [];
    const driver = createDriver(store, fakeRun(remote, answers), { recheck: async () => {} });
    driver.handle({ type: 'run-step', key: 'delete-legacy[arne]', typed });
    await driver.idle();
    assert.deepEqual(answers, [want], `${remote ?? '(no remote)'} typed ${typed}`);
    if (!want) assert.match(store.getState().message?.text ?? '', new RegExp(`"${typed}" is not ${remote ? `${remote}:` : ''}arne-msg: nothing deleted`));
  }
});

test('the cockpit store takes the remote from the runbook: the typed confirmation asks for REMOTE:NAME', async () => {
  const rb = loadRunbook(new URL('../../runbooks/lab/posta-decommission.toml', import.meta.url).pathname, { catalog: CATALOG }).runbook!;
  const plan = DECOMMISSION_STEPS;
  const store = initialStore({ ...rb, runtime: { ...rb.runtime, remote: 'lane' } }, plan, { readOnly: false, driver: 'me' });
  assert.equal(store.getState().runbook.remote, 'lane');
  assert.equal(initialStore(rb, plan, { readOnly: false, driver: 'me' }).getState().runbook.remote, undefined);
  store.dispatch({ type: 'step-state', key: 'stability-gate', state: 'succeeded' });
  const s = await renderStore(store, { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /type lane:arne-msg and enter/);
  s.unmount();
});
