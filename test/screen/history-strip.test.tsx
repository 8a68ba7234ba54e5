// The verification history strip (issue 21): one cell per run per identity with ✓/✗/? (not colour alone),
// above the output pane in watch, the newest cells kept when they do not fit; the frame still fits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { midCutoverState } from '../../screens/fixtures/posta.ts';
import { reduce } from '../../screens/state/reducer.ts';
import { buildFrame } from '../../screens/frame.ts';
import { historyStripLines, type HistoryStripView } from '../../screens/components/history-strip.ts';
import { lineText } from '../../screens/text.ts';
import type { Cell } from '../../checks/history.ts';

const cells = (s: string): Cell[] => [...s].map((c) => (c === '✓' ? 'green' : c === '✗' ? 'red' : 'unknown'));
const VIEW: HistoryStripView = {
  line: '9 runs (6 green, 2 red, 1 cannot check), coverage 88%, green 75%, 1 red period',
  rows: [
    { identity: 'arne', cells: cells('✓✓✗✗✓?✓✓✓') },
    { identity: 'marcus', cells: cells('✓✓✓✓✓?✓✓✓') },
    { identity: 'tarald', cells: cells('✓✓✓✓✓?✓✓✓') },
    { identity: '—', cells: cells('✓✓✓✓✓?✓✓✓') },
  ],
};

test('strip lines: a title and one row per identity, glyphs in run order', () => {
  const lines = historyStripLines(VIEW, 60, 10).map(lineText);
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^History · 9 runs \(6 green, 2 red, 1 cannot check\)/);
  assert.equal(lines[1], 'arne    ✓✓✗✗✓?✓✓✓');
  assert.equal(lines[4], '—       ✓✓✓✓✓?✓✓✓');
  // narrow: the newest cells stay, with a mark that older ones were cut
  const narrow = historyStripLines(VIEW, 12, 3).map(lineText);
  assert.equal(narrow.length, 3);
  assert.equal(narrow[1], 'arne   …?✓✓✓');
  assert.deepEqual(historyStripLines(VIEW, 60, 1), []);
});

test('watch frame: the strip shows above the output pane once a history arrives, and the frame still fits', () => {
  for (const [columns, rows] of [[120, 30], [80, 24], [100, 40]] as const) {
    const before = buildFrame(midCutoverState({ columns, rows, readOnly: true }), columns, rows).map(lineText);
    assert.ok(!before.some((l) => l.includes('History ·')));
    const state = reduce(midCutoverState({ columns, rows, readOnly: true }), { type: 'history', view: VIEW }).state;
    const frame = buildFrame(state, columns, rows).map(lineText);
    assert.ok(frame.length <= rows - 1, `${columns}x${rows}: ${frame.length} lines`);
    for (const l of frame) assert.equal(stringWidth(l), columns, `${columns}x${rows}: ${l}`);
    assert.ok(frame.some((l) => l.includes('History · 9 runs')), `${columns}x${rows}:\n${frame.join('\n')}`);
    assert.ok(frame.some((l) => /│arne {3}[ …]✓✓✗✗✓\?✓✓✓ *│/.test(l)), `${columns}x${rows}:\n${frame.join('\n')}`);
    const cleared = reduce(state, { type: 'history', view: null }).state;
    assert.deepEqual(buildFrame(cleared, columns, rows).map(lineText), before);
  }
});
