// src/width.ts against string-width itself: every code point it answers from its per-character table, and
// strings mixing those with ASCII and with what it must hand over (escapes, combining marks, emoji).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringWidthOf from 'string-width';
import stringWidth, { isStandalone } from '../../src/width.ts';

const standalone: string[] = [];
for (let c = 0; c <= 0xffff; c++) if (isStandalone(c)) standalone.push(String.fromCharCode(c));

test('each standalone code point is its own grapheme and measures as string-width says', () => {
  const segmenter = new Intl.Segmenter();
  for (const ch of standalone) {
    assert.equal(stringWidth(ch), stringWidthOf(ch), `U+${ch.charCodeAt(0).toString(16)}`);
    // Between letters and next to itself it stays a cluster of its own.
    const clusters = [...segmenter.segment(`a${ch}${ch}b`)].length;
    assert.equal(clusters, 4, `U+${ch.charCodeAt(0).toString(16)} joins a neighbour`);
  }
  assert.ok(standalone.length > 3500, `only ${standalone.length} standalone code points`);
});

test('random mixed strings measure as string-width measures them', () => {
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const others = ['\u001b[1;32m', '\u001b[39;49m', '\u001b]8;;http://x\u0007', '\u0301', '\u200d', '\ufe0f', '👍', '👍🏽', '👨‍👩‍👧', '\u001b[31m', '\u001b[0m', '한', '\u1100\u1161', '中', '\t', '\u00ad', '🇳🇴', 'e\u0301'];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const len = rand(12);
    for (let j = 0; j < len; j++) {
      const kind = rand(10);
      s += kind < 4 ? String.fromCharCode(0x20 + rand(0x5f)) : kind < 9 ? standalone[rand(standalone.length)]! : others[rand(others.length)]!;
    }
    assert.equal(stringWidth(s), stringWidthOf(s), JSON.stringify(s));
  }
});

test('the cockpit glyphs: box drawing and marks are one column, wide characters two', () => {
  assert.equal(stringWidth('┌ posta ─ ✓ ✗ › · …'), 19);
  assert.equal(stringWidth('中文'), 4);
  assert.equal(stringWidth('\u001b[31mred\u001b[0m'), 3);
  assert.equal(stringWidth('x', { countAnsiEscapeCodes: true }), 1);
  assert.equal(stringWidth(''), 0);
});
