// Geometry: at every size and in every state the frame never wraps or overflows (no line wider than the
// terminal, fewer lines than rows), the compact layout at 80x24, windowing around the selection, resize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { DECOMMISSION_STEPS, freshState, greenSnapshot, midCutoverState, redSnapshot, unknownSnapshot, REPOINT_DIFF } from '../../screens/fixtures/posta.ts';
import type { Action, CockpitState } from '../../screens/state/types.ts';
import { KEY, renderScreen, type Screen } from './render.tsx';

const SIZES = [
  [80, 24],
  [120, 30],
  [60, 16],
  [100, 40],
  [119, 29],
  [200, 50],
] as const;

type Scenario = { name: string; state: (c: number, r: number) => CockpitState; events?: Action[]; keys?: string[] };
const LONG = 'x'.repeat(300);
// Long text arrives as one chunk, as a paste does: the cockpit takes it key by key; typing it here one
// keystroke at a time would only redraw the same frame a hundred times.
const SCENARIOS: Scenario[] = [
  { name: 'fresh, nothing checked', state: (c, r) => freshState({ columns: c, rows: r }) },
  { name: 'mid-cutover green', state: (c, r) => midCutoverState({ columns: c, rows: r }) },
  { name: 'red panels', state: (c, r) => midCutoverState({ columns: c, rows: r }), events: [{ type: 'snapshot', snapshot: redSnapshot() }] },
  { name: 'unknown panels', state: (c, r) => midCutoverState({ columns: c, rows: r }), events: [{ type: 'snapshot', snapshot: unknownSnapshot() }] },
  { name: 'read-only', state: (c, r) => midCutoverState({ columns: c, rows: r, readOnly: true }), keys: ['r'] },
  {
    name: 'failed step with a long error and long output lines',
    state: (c, r) => midCutoverState({ columns: c, rows: r }),
    events: [
      { type: 'output', key: 'repoint-caddy', lines: [LONG, '\ttab\u001b[31mred\u001b[0m', 'ünïcödé ✓ ✗ ▶ 中文字符'] },
      { type: 'step-state', key: 'repoint-caddy', state: 'failed', error: `caddy reload failed: ${LONG}`, revert: 'Caddyfile restored from backup' },
    ],
  },
  { name: 'help overlay', state: (c, r) => midCutoverState({ columns: c, rows: r }), keys: ['?'] },
  { name: 'help overlay scrolled to the end', state: (c, r) => freshState({ columns: c, rows: r }), keys: ['?', KEY.pagedown, KEY.pagedown, KEY.pagedown] },
  { name: 'diff overlay', state: (c, r) => midCutoverState({ columns: c, rows: r }), keys: ['d'] },
  { name: 'output overlay', state: (c, r) => midCutoverState({ columns: c, rows: r }), keys: ['o'] },
  { name: 'rollback plan', state: (c, r) => freshState({ columns: c, rows: r }), events: [{ type: 'step-state', key: 'baseline', state: 'succeeded' }, { type: 'step-state', key: 'create-container', state: 'succeeded' }], keys: ['r'] },
  { name: 'typed confirmation with a long answer', state: (c, r) => stepOne(freshState({ columns: c, rows: r, steps: DECOMMISSION_STEPS })), keys: [KEY.enter, 'arne-msg-and-much-more-text-than-fits-anywhere'.repeat(3)] },
  { name: 'skip reason', state: (c, r) => freshState({ columns: c, rows: r }), keys: ['s', 'operator did this by hand'] },
  { name: 'destructive confirm', state: (c, r) => midCutoverState({ columns: c, rows: r }), events: [{ type: 'step-state', key: 'repoint-caddy', state: 'succeeded' }, { type: 'step-state', key: 'repoint-caddy', state: 'running' }, { type: 'step-state', key: 'repoint-caddy', state: 'failed' }], keys: [KEY.enter] },
  { name: 'quit while running', state: (c, r) => midCutoverState({ columns: c, rows: r }), keys: ['q'] },
  ...([1, 2, 3, 4] as const).map((n): Scenario => ({ name: `full-size panel ${n} (red)`, state: (c, r) => midCutoverState({ columns: c, rows: r }), events: [{ type: 'snapshot', snapshot: redSnapshot() }], keys: [String(n), KEY.down, KEY.down] })),
  { name: 'outage over budget', state: (c, r) => midCutoverState({ columns: c, rows: r }), events: [{ type: 'tick', now: Date.UTC(2026, 4, 10, 2, 0, 0) }] },
];

function stepOne(s: CockpitState): CockpitState {
  return { ...s, steps: s.steps.map((v, i) => (i === 0 ? { ...v, state: 'succeeded' } : v)) };
}

function assertFits(s: Screen, columns: number, rows: number, what: string) {
  const lines = s.lines();
  assert.ok(lines.length <= rows - 1, `${what}: ${lines.length} lines for ${rows} rows`);
  for (const [i, l] of lines.entries()) assert.ok(stringWidth(l) <= columns, `${what}: line ${i + 1} is ${stringWidth(l)} columns wide (> ${columns}):\n${l}`);
}

for (const [columns, rows] of SIZES) {
  test(`layout ${columns}x${rows}: every scenario fits (no line > ${columns} columns, frame < ${rows} rows)`, async () => {
    for (const sc of SCENARIOS) {
      const s = await renderScreen(sc.state(columns, rows), { columns, rows });
      await s.dispatch(...(sc.events ?? []));
      await s.press(...(sc.keys ?? []));
      assertFits(s, columns, rows, `${sc.name} at ${columns}x${rows}`);
      // Every row is drawn to the full width: the right border lines up.
      for (const l of s.lines()) assert.equal(stringWidth(l), columns, `${sc.name}: ragged row\n${l}`);
      s.unmount();
    }
  });
}

test('compact 80x24: panels as one line each, runbook list beside the output pane, footer in the bottom border', async () => {
  const s = await renderScreen(midCutoverState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  const lines = s.lines();
  assert.equal(lines.length, 23);
  assert.match(lines[0]!, /^┌ posta-multitenant-cutover · 20\/29 .*out 01:12\/03:00 · you lock held ┐$/);
  assert.match(lines[1]!, /^│1 Containers ✓/);
  assert.match(lines[4]!, /^│4 Tokens/);
  assert.match(lines[5]!, /^├─ Runbook 19\/29 done ─+┬─ Output · repoint-caddy ─+┤$/);
  assert.ok(lines.some((l) => /^│›► 20 ! repoint/.test(l)));
  assert.match(lines[21]!, /^│repoint-caddy · next · running/);
  assert.match(lines[22]!, /^└ ↑\/k\/↓\/j select · d diff · o output · v recheck · 1–4 panel · \? help · q quit ┘$/);
  s.unmount();
});

test('below the compact minimum: a one-line notice instead of a broken frame', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 50, rows: 12 });
  const lines = s.lines();
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^cutover: 50x12 is too small, needs 60x16/);
  assert.ok(stringWidth(lines[0]!) <= 50);
  s.unmount();
});

test('the runbook list is windowed around the selection: the selected step is always visible', async () => {
  const s = await renderScreen(freshState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  assert.match(s.text(), /│›· {2}1 {3}record key/);
  assert.doesNotMatch(s.text(), /29 {3}protect tarald-msg/);
  await s.press(...Array(28).fill('j'));
  assert.match(s.text(), /│›· 29 {3}protect tarald-msg/);
  assert.doesNotMatch(s.text(), / 1 {3}record key/);
  await s.press(...Array(40).fill(KEY.up));
  assert.match(s.text(), /│›· {2}1 {3}record key/);
  s.unmount();
});

test('resize: the frame follows the terminal (120x30 full layout → 80x24 compact → back)', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30, followTerminal: true });
  await s.dispatch({ type: 'snapshot', snapshot: greenSnapshot() });
  assert.equal(s.lines()[0]!.length > 100, true);
  assert.match(s.lines()[1]!, /│1 Containers ✓ A=auto P=prot/);
  await s.resize(80, 24);
  assertFits(s, 80, 24, 'after resize to 80x24');
  assert.equal(s.lines().length, 23);
  assert.match(s.lines()[1]!, /│1 Containers ✓ 4\/4/);
  await s.press();
  assert.deepEqual(s.store.getState().viewport, { columns: 80, rows: 24 });
  await s.resize(120, 30);
  assert.equal(s.lines().length, 29);
  assert.equal(stringWidth(s.lines()[0]!), 120);
  s.unmount();
});

test('NO_COLOR: no escape sequence at all in the frame, and every state still has its glyph', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30, color: false });
  await s.dispatch(
    { type: 'snapshot', snapshot: redSnapshot() },
    { type: 'diff', key: 'repoint-caddy', diff: REPOINT_DIFF },
    { type: 'step-state', key: 'repoint-caddy', state: 'failed', error: 'reload failed' },
    { type: 'step-state', key: 'smoke-public', state: 'skipped' },
  );
  assert.doesNotMatch(s.raw(), /\u001b\[/);
  const text = s.raw();
  for (const glyph of ['✓', '✗', '·', '↷', '…']) assert.ok(text.includes(glyph), `glyph ${glyph}`);
  s.unmount();
});
