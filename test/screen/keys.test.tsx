// The keymap as the operator meets it: the ? overlay lists exactly the keymap (per context, read-only drops
// the dangerous bindings), the footer shows the keys valid now and why others are disabled, and read-only
// mode has no run/skip/rollback keys at all while r says who drives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTEXT_TITLE, displayKeys, KEYMAP, type KeyContext } from '../../screens/keymap.ts';
import { freshState, midCutoverState } from '../../screens/fixtures/posta.ts';
import { KEY, renderScreen } from './render.tsx';

const CONTEXTS: KeyContext[] = ['main', 'focus', 'scroll', 'confirm', 'choose', 'text'];

/** The help overlay's binding rows as "context|keys|label|help", read off the screen. */
function helpRows(lines: string[]): string[] {
  const rows: string[] = [];
  let section = '';
  for (const l of lines.slice(2, -2)) {
    const inner = l.slice(1, -1);
    const title = /^(\S.*?)\s*$/.exec(inner);
    if (title && !inner.startsWith(' ')) {
      section = title[1]!;
      continue;
    }
    const m = /^ {2}(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(inner);
    if (m) rows.push(`${section}|${m[1]}|${m[2]}|${m[3]}`);
  }
  return rows;
}

function expectedRows(readOnly: boolean): string[] {
  return CONTEXTS.flatMap((c) => KEYMAP.filter((b) => b.contexts.includes(c) && !(readOnly && b.dangerous)).map((b) => `${CONTEXT_TITLE[c]}|${displayKeys(b)}|${b.label}|${b.help}`));
}

for (const readOnly of [false, true]) {
  test(`help overlay (${readOnly ? 'read-only' : 'driver'}): lists exactly the keymap, every binding once per context, nothing else`, async () => {
    const s = await renderScreen(freshState({ readOnly }), { columns: 220, rows: 60 });
    await s.press('?');
    const lines = s.lines();
    assert.match(lines[1]!, readOnly ? /Keys \(read-only\) · esc back/ : /Keys · esc back/);
    assert.deepEqual(helpRows(lines), expectedRows(readOnly));
    if (readOnly) {
      assert.match(s.text(), /read-only: ola@fismen drives; run, skip and rollback are not available here/);
      for (const label of ['run', 'skip', 'rollback']) assert.ok(!helpRows(lines).some((r) => r.split('|')[2] === label), `no ${label} in read-only help`);
    }
    await s.press(KEY.esc);
    assert.match(s.lines()[1]!, /1 Containers/);
    s.unmount();
  });
}

test('help overlay scrolls at 80x24 and every binding is reachable', async () => {
  const s = await renderScreen(freshState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  await s.press('?');
  const seen = new Set<string>();
  const collect = () => s.lines().slice(2, -2).forEach((l) => seen.add(l));
  collect();
  // Long help sentences wrap (nothing is cut at 80 columns), so the help is longer than one page.
  for (let i = 0; i < 60; i++) {
    await s.press('j');
    collect();
  }
  await s.press(KEY.pagedown);
  collect();
  const all = [...seen].join('\n');
  for (const b of KEYMAP) assert.ok(all.includes(` ${b.label} `), `binding ${b.id} (${b.label}) visible while scrolling`);
  // Back at the top with PgUp (a page at a time): the first section title is on the first content row.
  for (let i = 0; i < 4; i++) await s.press(KEY.pageup);
  assert.match(s.lines()[2]!, /^│Cockpit/);
  await s.press('q');
  assert.match(s.lines()[1]!, /1 Containers/);
  assert.equal(s.effects.length, 0, 'q closes the overlay, it does not quit');
  s.unmount();
});

test('footer: keys valid now first, disabled ones say why', async () => {
  const s = await renderScreen(freshState({ columns: 200, rows: 30 }), { columns: 200, rows: 30 });
  const footer = () => s.lines().at(-1)!;
  assert.match(footer(), /^└ ↑\/k\/↓\/j select · enter run · s skip · v recheck · 1–4 panel · \? help · q quit · d diff: no diff for this step · o output: no output yet · r rollback: nothing done yet ─+┘$/);
  await s.dispatch({ type: 'step-state', key: 'baseline', state: 'running' });
  assert.match(footer(), /enter run: baseline is running · s skip: baseline is running/);
  assert.match(footer(), /^└ ↑\/k\/↓\/j select · v recheck · 1–4 panel · \? help · q quit · enter run/, "usable keys first");
  await s.dispatch({ type: 'step-state', key: 'baseline', state: 'succeeded' }, { type: 'output', key: 'baseline', lines: ['ok'] });
  await s.press(KEY.up);
  assert.match(footer(), /^└ ↑\/k\/↓\/j select · enter run · s skip · o output · r rollback · v recheck/);
  // A disabled key pressed says why on the message line and does nothing.
  await s.press('d');
  assert.match(s.lines().at(-2)!, /! d diff: no diff for this step/);
  assert.equal(s.effects.length, 0);
  s.unmount();
});

test('read-only: no run/skip/rollback keys anywhere; r, enter and s say read-only and nothing happens; banner says who drives', async () => {
  const s = await renderScreen(midCutoverState({ readOnly: true, columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  const lines = s.lines();
  assert.match(lines[0]!, /RO · ola@fismen drives ┐$/);
  const footer = lines.at(-1)!;
  for (const k of ['enter run', 's skip', 'r rollback']) assert.ok(!footer.includes(k), `footer has no "${k}": ${footer}`);
  assert.match(footer, /select · d diff · o output · v recheck · 1–4 panel · \? help · q quit/);
  const before = s.store.getState().steps.map((v) => v.state);
  for (const key of ['r', KEY.enter, 's']) {
    await s.press(key);
    assert.match(s.lines().at(-2)!, /^│! read-only: ola@fismen drives\s*│$/, `after ${JSON.stringify(key)}`);
    assert.equal(s.store.getState().overlay, null, 'no question, no rollback plan');
  }
  assert.deepEqual(s.effects, []);
  assert.deepEqual(s.store.getState().steps.map((v) => v.state), before);
  // The non-dangerous keys still work.
  await s.press('d');
  assert.match(s.lines()[1]!, /Diff · repoint-caddy/);
  await s.press(KEY.esc, 'v');
  assert.deepEqual(s.effects, [{ type: 'recheck' }]);
  s.unmount();
});

test('full layout header: runbook, step n/N and title, outage clock vs budget, driver and lock', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  assert.match(s.lines()[0]!, /^┌ posta-multitenant-cutover ─ step 20\/29 repoint Caddy site blocks to … ─ outage 01:12 \/ 03:00 ─ driver: you lock held ┐$/);
  // Past half the budget: "!" and "past half"; past the budget: "✗ … OVER".
  const opened = s.store.getState().clock.openedAt!;
  await s.dispatch({ type: 'tick', now: opened + 100_000 });
  assert.match(s.lines()[0]!, /! outage 01:40 \/ 03:00 past half/);
  await s.dispatch({ type: 'tick', now: opened + 200_000 });
  assert.match(s.lines()[0]!, /✗ outage 03:20 \/ 03:00 OVER/);
  await s.dispatch({ type: 'step-state', key: 'repoint-caddy', state: 'succeeded', at: opened + 60_000 }, { type: 'step-state', key: 'smoke-public', state: 'running', at: opened + 61_000 }, { type: 'step-state', key: 'smoke-public', state: 'succeeded', at: opened + 62_000 });
  assert.match(s.lines()[0]!, /✓ outage 01:02 \/ 03:00 closed/);
  s.unmount();
});
