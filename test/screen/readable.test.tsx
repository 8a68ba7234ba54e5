// Readability at 80x24: the footer keeps `? help · q quit`, the help overlay wraps (every word on screen,
// scrolls), and the output pane and the full-screen output wrap long lines so a command's full argv is readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshState, midCutoverState } from '../../screens/fixtures/posta.ts';
import { buildFrame } from '../../screens/frame.ts';
import { lineText } from '../../screens/text.ts';
import { KEY, renderScreen } from './render.tsx';

const ARGV = 'incus file push --mode=0600 /tmp/cap-state/cutover/posta-multitenant-cutover-lab/backups/arne/keys.json posta/var/lib/posta/arne/keys.json.cutover-tmp-7f3a';

test('footer at 80 columns: ? help and q quit stay at its end in every state', async () => {
  for (const state of [freshState({ columns: 80, rows: 24 }), midCutoverState({ columns: 80, rows: 24 })]) {
    const footer = lineText(buildFrame(state, 80, 24).at(-1)!);
    assert.match(footer, /\? help · q quit ─*┘$/, footer);
    assert.equal([...footer].length, 80);
  }
  const s = await renderScreen(midCutoverState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  await s.dispatch({ type: 'step-state', key: 'repoint-caddy', state: 'running' });
  assert.match(s.lines().at(-1)!, /\? help · q quit ─*┘$/);
  s.unmount();
});

test('help at 80x24: fits the frame, wraps instead of cutting, scrolls to its last line', async () => {
  const s = await renderScreen(freshState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  await s.press('?');
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    const lines = s.lines();
    assert.ok(lines.length <= 23, `frame of ${lines.length} rows`);
    for (const l of lines) assert.ok([...l].length <= 80, l);
    seen.push(...lines.slice(2, -2));
    await s.press('j');
  }
  const content = seen.join('\n');
  assert.ok(!/…\s*│/.test(content), 'no help line is cut with an ellipsis');
  assert.match(content, /Quit the cockpit/);
  assert.match(content, /Close the overlay or question, or leave the\s*│\n│\s+full-size panel\./, 'a long sentence goes on under its own column');
  s.unmount();
});

test('a long command is wrapped in the output pane and the full-screen output, never cut', async () => {
  const s = await renderScreen(midCutoverState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  await s.dispatch({ type: 'output', key: 'repoint-caddy', lines: [`$ ${ARGV}`, 'ok'] });
  const joinedRows = (rows: string[]) => rows.map((l) => l.replace(/^│/, '').replace(/│$/, '')).join(' ').replace(/\s+/g, ' ');
  // The pane is the right column of the body: collect its text.
  const pane = s.lines().map((l) => l.split('│').slice(2, -1).join('│'));
  assert.ok(joinedRows(pane).replace(/ /g, '').includes(`$${ARGV}`.replace(/ /g, '')), pane.join('\n'));
  await s.press('o');
  const full = s.lines().slice(2, -2);
  assert.ok(joinedRows(full).replace(/ /g, '').includes(`$${ARGV}`.replace(/ /g, '')), full.join('\n'));
  await s.press(KEY.esc);
  s.unmount();
});

test('rolled back is a state: the header says so, never "done n/n"', async () => {
  const s = await renderScreen(midCutoverState({ columns: 120, rows: 30 }), { columns: 120, rows: 30 });
  const done = s.lines()[0]!;
  assert.doesNotMatch(done, /rolled back/);
  const keys = ['create-container', 'repoint-caddy'];
  for (const key of keys) await s.dispatch({ type: 'step-state', key, state: 'rolled-back' });
  assert.match(s.lines()[0]!, /rolled back \(2 undone\) legacy path serves/);
  assert.doesNotMatch(s.lines()[0]!, /done \d+\/\d+/);
  s.unmount();
});

test('q inside the open outage window asks, naming what is down; n returns; y quits', async () => {
  for (const columns of [120, 80]) {
    const s = await renderScreen(midCutoverState({ columns, rows: columns === 80 ? 24 : 30 }), { columns, rows: columns === 80 ? 24 : 30 });
    await s.dispatch({ type: 'step-state', key: 'repoint-caddy', state: 'succeeded' });
    await s.press('q');
    const asked = s.lines().at(-2)!;
    assert.match(asked, /! outage window open · down: arne-msg, marcus-msg, tarald-msg/, asked);
    if (columns === 120) assert.match(asked, /`cutover run` resumes /, 'how to come back');
    assert.match(asked, /y quit · n stay/, 'the answer keys stay visible at any width');
    assert.equal(s.effects.length, 0, 'nothing quit yet');
    await s.press('n');
    assert.doesNotMatch(s.lines().at(-2)!, /outage window open/);
    assert.equal(s.effects.length, 0);
    await s.press('q');
    await s.press('y');
    assert.deepEqual(s.effects.map((e) => e.type), ['quit']);
    s.unmount();
  }
});
