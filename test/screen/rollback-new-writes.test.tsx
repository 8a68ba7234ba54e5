// The cockpit's rollback confirmation asks what `cutover rollback` asks when the target took writes since the
// copy: the runner refused (nothing changed), the screen names identity and counts and offers three choices,
// c copy back · x discard · n cancel, each a key of screens/keymap.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { midCutoverState } from '../../screens/fixtures/posta.ts';
import { KEY, renderScreen } from './render.tsx';

const message = (lines: string[]) => lines.at(-2)!;
const LINES = ['arne (posta:/var/lib/posta/arne/inbox.db): messages 300 → 301 rows (+1, max rowid 300 → 301)'];

for (const [key, choice] of [
  ['c', 'copy-back'],
  ['x', 'discard-new-writes'],
] as const) {
  test(`rollback refused for new writes: the overlay names identity and counts; ${key} rolls back with ${choice}`, async () => {
    const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
    await s.dispatch({ type: 'rollback-refused', lines: LINES });
    const text = s.text();
    assert.match(s.lines()[1]!, /New writes in the target since the copy · nothing was changed/);
    assert.match(text, /✗ arne \(posta:\/var\/lib\/posta\/arne\/inbox\.db\): messages 300 → 301 rows \(\+1, max rowid 300 → 301\)/);
    assert.match(text, /c copy back: legacy daemon stopped/);
    assert.match(text, /x discard: roll back without them/);
    assert.match(message(s.lines()), /new writes since the copy: c copy back · x discard them · n cancel/);
    await s.press('y');
    assert.deepEqual(s.effects, [], 'y is no answer here: only c, x or n');
    await s.press(key);
    assert.deepEqual(s.effects, [{ type: 'rollback', newWrites: choice }]);
    assert.doesNotMatch(s.lines()[1]!, /New writes/);
    s.unmount();
  });
}

test('rollback refused for new writes: n (or esc) cancels, nothing is rolled back', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 80, rows: 24 });
  for (const cancel of ['n', KEY.esc]) {
    await s.dispatch({ type: 'rollback-refused', lines: LINES });
    assert.match(s.text(), /arne \(posta:/);
    await s.press(cancel);
    assert.deepEqual(s.effects, []);
    assert.doesNotMatch(s.lines()[1]!, /New writes/);
  }
  s.unmount();
});
