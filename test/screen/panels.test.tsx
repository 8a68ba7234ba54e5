// Every panel in each of its states (green, red with the reason, unknown/not checked) in the full layout,
// the compact summary lines, and the full-size panel (1–4) showing why the selected row is red.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greenSnapshot, midCutoverState, redSnapshot, unknownSnapshot } from '../../screens/fixtures/posta.ts';
import { KEY, renderScreen } from './render.tsx';

/** The panel block of the full layout: the rows between the header and the runbook separator. */
function panelBlock(lines: string[]): string[] {
  const end = lines.findIndex((l) => l.startsWith('├'));
  return lines.slice(1, end);
}

/** Column `i` of the panel block (cells between │). */
function column(lines: string[], i: number): string[] {
  return panelBlock(lines).map((l) => l.split('│')[i + 1]!.trimEnd());
}

test('panels, full layout, green: every panel ✓, rows with state, addresses, health, token survival', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'snapshot', snapshot: greenSnapshot() });
  const lines = s.lines();
  const [containers, upstreams, smoke, tokens] = [0, 1, 2, 3].map((i) => column(lines, i)) as [string[], string[], string[], string[]];
  assert.match(containers[0]!, /^1 Containers ✓/);
  assert.match(upstreams[0]!, /^2 Upstreams ✓ \*\.posta\.no/);
  assert.match(smoke[0]!, /^3 Smoke ✓/);
  assert.match(tokens[0]!, /^4 Tokens ✓/);
  assert.ok(containers.some((l) => /^✓ posta\s+Running \.168 A-/.test(l)), containers.join('\n'));
  assert.ok(containers.some((l) => /^✓ arne-msg\s+Stopped —\s+-P/.test(l)));
  for (const id of ['arne', 'marcus', 'tarald']) assert.ok(upstreams.some((l) => new RegExp(`^✓ ${id}\\s+\\.168→\\.168 ok`).test(l)), upstreams.join('\n'));
  assert.match(smoke[1]!, /actor 401 setup 410 auth/);
  const smokeRows = smoke.filter((l) => /^(arne|marcus|tarald)\s+[LP]/.test(l));
  assert.equal(smokeRows.length, 6);
  for (const r of smokeRows) assert.equal((r.match(/✓/g) ?? []).length, 5, r);
  assert.ok(tokens.some((l) => /^✓ arne\/tui-dev\s+(\d+m|<10s|\d0s) kept/.test(l)), tokens.join('\n'));
  assert.ok(tokens.some((l) => /^✓ tarald\/laptop\s+5h\d\dm kept/.test(l)));
  assert.ok(!panelBlock(lines).some((l) => l.includes('✗')), 'no ✗ anywhere in a green panel block');
  s.unmount();
});

test('panels, full layout, red: ✗ in the title, the red row, and the reason under each panel', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'snapshot', snapshot: redSnapshot() });
  const lines = s.lines();
  const [containers, upstreams, smoke, tokens] = [0, 1, 2, 3].map((i) => column(lines, i)) as [string[], string[], string[], string[]];
  assert.match(containers[0]!, /^1 Containers ✗/);
  assert.ok(containers.some((l) => /^✗ marcus-msg Running \.229 AP/.test(l)), containers.join('\n'));
  assert.ok(containers.some((l) => l.startsWith('✗ marcus-msg is Running')), 'the reason line');
  assert.match(upstreams[0]!, /^2 Upstreams ✗/);
  assert.ok(upstreams.some((l) => /^✗ tarald\s+\.168→\.205 drift/.test(l)), upstreams.join('\n'));
  assert.ok(upstreams.some((l) => l.startsWith('✗ tarald.posta.no: file')));
  assert.match(smoke[0]!, /^3 Smoke ✗/);
  const arnePublic = smoke.find((l) => /^arne\s+P/.test(l))!;
  assert.equal((arnePublic.match(/✗/g) ?? []).length, 1, arnePublic);
  assert.ok(smoke.some((l) => l.startsWith('✗ arne public auth: expected sta')), smoke.join('\n'));
  assert.match(tokens[0]!, /^4 Tokens ✗/);
  assert.ok(tokens.some((l) => /^✗ marcus\/phone\s+\S+ LOST/.test(l)), tokens.join('\n'));
  assert.ok(tokens.some((l) => l.startsWith('✗ marcus/phone: token row')));
  s.unmount();
});

test('panels, full layout, unknown: … glyph and why it could not be checked; before any snapshot: not checked yet', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  // midCutoverState carries a snapshot; a fresh screen has none yet.
  await s.dispatch({ type: 'snapshot', snapshot: unknownSnapshot() });
  let lines = s.lines();
  const [containers, upstreams, smoke, tokens] = [0, 1, 2, 3].map((i) => column(lines, i)) as [string[], string[], string[], string[]];
  assert.match(containers[0]!, /^1 Containers …/);
  assert.equal(containers[1], '… incus not found on PATH');
  assert.match(upstreams[1]!, /^… caddy admin API a/);
  assert.match(tokens[1]!, /^… inbox\.db not read/);
  const smokeRows = smoke.filter((l) => /^(arne|marcus|tarald)\s+[LP]/.test(l));
  assert.equal(smokeRows.length, 6);
  for (const r of smokeRows) assert.equal((r.match(/…/g) ?? []).length, 5, r);
  assert.ok(!panelBlock(lines).some((l) => /[✓✗]/.test(l)));
  s.unmount();

  const { freshState } = await import('../../screens/fixtures/posta.ts');
  const f = await renderScreen(freshState(), { columns: 120, rows: 30 });
  lines = f.lines();
  for (let i = 0; i < 4; i++) assert.equal(column(lines, i)[1], '… not checked yet');
  f.unmount();
});

test('panels, compact 80x24: one summary line per panel in each state', async () => {
  const s = await renderScreen(midCutoverState({ columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  const summary = () => s.lines().slice(1, 5).map((l) => l.slice(1, -1).trimEnd());
  await s.dispatch({ type: 'snapshot', snapshot: greenSnapshot() });
  assert.deepEqual(
    summary().map((l) => l.replace(/ · .*/, '')),
    ['1 Containers ✓ 4/4', '2 Upstreams  ✓ 3/3', '3 Smoke      ✓ 30/30', '4 Tokens     ✓ 3/3'],
  );
  assert.match(summary()[1]!, /3 sites → \.168 · no drift/);
  await s.dispatch({ type: 'snapshot', snapshot: redSnapshot() });
  const red = summary();
  assert.match(red[0]!, /^1 Containers ✗ 3\/4 · marcus-msg is Running/);
  assert.match(red[1]!, /^2 Upstreams  ✗ 2\/3 · tarald\.posta\.no: file says \.168/);
  assert.match(red[2]!, /^3 Smoke      ✗ 29\/30 · arne public auth: expected status 200, got 401/);
  assert.match(red[3]!, /^4 Tokens     ✗ 2\/3 · marcus\/phone: token row missing/);
  await s.dispatch({ type: 'snapshot', snapshot: unknownSnapshot() });
  const unknown = summary();
  assert.match(unknown[0]!, /^1 Containers … 0\/0 · incus not found on PATH/);
  assert.match(unknown[2]!, /^3 Smoke      … 0\/30/);
  s.unmount();
});

test('full-size panel: 1–4 focus a panel, ↓ moves the cursor, a red cell shows expected/actual/why; esc goes back', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'snapshot', snapshot: redSnapshot() });
  await s.press('3');
  let text = s.text();
  assert.match(text, /3 Smoke · ↑↓ select · esc back/);
  assert.match(text, /›✓ arne\s+local\s+actor\s+200/);
  // arne public auth is the 10th row of the grid.
  await s.press(...Array(9).fill(KEY.down));
  text = s.text();
  assert.match(text, /›✗ arne\s+public auth\s+401/);
  assert.match(text, /expected status == 200/);
  assert.match(text, /actual {3}status 401/);
  assert.match(text, /why {6}arne public auth: expected status 200, got 401/);
  await s.press('1');
  text = s.text();
  assert.match(text, /1 Containers · ↑↓ select/);
  await s.press('j', 'j');
  assert.match(s.text(), /›✗ marcus-msg\s+legacy\s+Running/);
  assert.match(s.text(), /why {6}marcus-msg is Running: the legacy container must stay stopped/);
  await s.press('4', 'j');
  assert.match(s.text(), /why {6}marcus\/phone: token row missing after the copy/);
  await s.press('2', 'j', 'j');
  assert.match(s.text(), /why {6}tarald\.posta\.no: file says \.168, live config still dials \.205/);
  await s.press(KEY.esc);
  assert.match(s.text(), /├─ Runbook/);
  s.unmount();
});
