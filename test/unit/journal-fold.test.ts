import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldSteps, truncateOutput } from '../../src/journal/journal.ts';
import { resumeFromSteps } from '../../src/journal/resume.ts';
import { maskSecret, Redactor } from '../../src/journal/redact.ts';
import type { JournalEvent } from '../../src/journal/types.ts';

let nextId = 1;
function ev(stepKey: string, state: string, at: number, extra: Partial<JournalEvent> = {}): JournalEvent {
  return { id: nextId++, runId: 1, at, kind: 'step', stepKey, state, action: null, title: null, command: null, exitCode: null, output: null, changed: null, backupPath: null, error: null, detail: null, ...extra };
}

test('foldSteps: attempts, durations, and a retry clears the failed attempt', () => {
  const steps = foldSteps([
    ev('a', 'running', 100, { action: 'exec', title: 'A' }),
    ev('a', 'succeeded', 150, { exitCode: 0, changed: { x: 1 } }),
    ev('b', 'running', 200),
    ev('b', 'failed', 260, { error: 'boom', exitCode: 3 }),
    ev('b', 'running', 300),
    ev('b', 'succeeded', 320, { exitCode: 0 }),
  ]);
  const a = steps.get('a')!;
  assert.deepEqual([a.state, a.attempts, a.durationMs, a.action, a.title], ['succeeded', 1, 50, 'exec', 'A']);
  assert.deepEqual(a.changed, { x: 1 });
  const b = steps.get('b')!;
  assert.deepEqual([b.state, b.attempts, b.durationMs, b.error, b.exitCode], ['succeeded', 2, 20, null, 0]);
});

test('foldSteps: rolled-back keeps what the step changed', () => {
  const steps = foldSteps([
    ev('r', 'running', 1),
    ev('r', 'succeeded', 2, { changed: { backupPath: '/b' }, backupPath: '/b' }),
    ev('r', 'rolled-back', 9, { changed: { restored: true } }),
  ]);
  const r = steps.get('r')!;
  assert.equal(r.state, 'rolled-back');
  assert.deepEqual(r.changed, { backupPath: '/b' });
  assert.deepEqual(r.rolledBack, { at: 9, changed: { restored: true }, error: null });
});

test('resumeFromSteps: running step is interrupted and comes next; unknown keys are listed', () => {
  const steps = foldSteps([ev('a', 'running', 1), ev('a', 'succeeded', 2), ev('b', 'skipped', 3), ev('c', 'running', 4), ev('zz', 'succeeded', 5)]);
  const rp = resumeFromSteps(steps, ['a', 'b', 'c', 'd']);
  assert.deepEqual(rp, { done: ['a', 'b'], interrupted: 'c', interruptedAll: ['c'], failed: [], next: 'c', unknown: ['zz'] });
  const clean = resumeFromSteps(foldSteps([ev('a', 'running', 1), ev('a', 'succeeded', 2), ev('b', 'running', 3), ev('b', 'failed', 4)]), ['a', 'b', 'c']);
  assert.deepEqual(clean, { done: ['a'], interrupted: null, interruptedAll: [], failed: ['b'], next: 'b', unknown: [] });
  const all = resumeFromSteps(foldSteps([ev('a', 'running', 1), ev('a', 'succeeded', 2)]), ['a']);
  assert.equal(all.next, null);
});

test('resumeFromSteps: a parallel step whose expansions were running together: every one is interrupted, in plan order', () => {
  const steps = foldSteps([ev('a', 'running', 1), ev('a', 'succeeded', 2), ev('s[x]', 'running', 3), ev('s[y]', 'running', 3), ev('s[z]', 'running', 3), ev('s[y]', 'succeeded', 4)]);
  const rp = resumeFromSteps(steps, ['a', 's[x]', 's[y]', 's[z]', 'b']);
  assert.deepEqual(rp.interruptedAll, ['s[x]', 's[z]']);
  assert.ok(rp.interrupted === 's[x]' || rp.interrupted === 's[z]', String(rp.interrupted));
  assert.deepEqual(rp.done, ['a', 's[y]']);
});

test('truncateOutput keeps head and tail within the bound', () => {
  const long = 'H'.repeat(1000) + 'M'.repeat(50_000) + 'T'.repeat(1000);
  const out = truncateOutput(long, 4000);
  assert.ok(out.length < 4100, `length ${out.length}`);
  assert.ok(out.startsWith('HHHH') && out.endsWith('TTTT'));
  assert.match(out, /characters cut/);
  assert.equal(truncateOutput('short', 4000), 'short');
});

test('Redactor masks registered secrets, their JSON-escaped form, and bearer headers', () => {
  const r = new Redactor();
  const secret = 'pat_s3cr3t"with\\quote_0123456789';
  r.add(secret);
  const text = `Authorization: Bearer abc.def-123 token=${secret} json=${JSON.stringify({ t: secret })}`;
  const out = r.apply(text);
  assert.ok(!out.includes(secret));
  assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)));
  assert.ok(!out.includes('abc.def-123'));
  assert.ok(out.includes(maskSecret(secret)));
  assert.ok(maskSecret(secret).length < secret.length / 2);
});

test('foldSteps + stepEvents: a failure code comes back from the journal (never from the message text); a new attempt clears it', async () => {
  const { stepEvents } = await import('../../src/cockpit/journal-view.ts');
  const text = 'log review not acknowledged: 1 restart';
  const steps = foldSteps([
    ev('review', 'running', 1, { action: 'logs.review' }),
    ev('review', 'failed', 2, { error: text, detail: { code: 'not-acknowledged' } }),
    ev('other', 'running', 3, { action: 'exec' }),
    ev('other', 'failed', 4, { error: text }),
  ]);
  assert.equal(steps.get('review')!.failureCode, 'not-acknowledged');
  assert.equal(steps.get('other')!.failureCode, null, 'the same words without a code are no code');
  const plan = [{ key: 'review' }, { key: 'other' }] as unknown as Parameters<typeof stepEvents>[0];
  const events = stepEvents(plan, steps);
  assert.deepEqual(
    events.filter((e) => e.type === 'step-state').map((e) => [e.key, 'code' in e ? e.code : undefined]),
    [
      ['review', 'not-acknowledged'],
      ['other', undefined],
    ],
  );
  const again = foldSteps([ev('review', 'running', 1), ev('review', 'failed', 2, { detail: { code: 'not-acknowledged' } }), ev('review', 'running', 5)]);
  assert.equal(again.get('review')!.failureCode, null);
  assert.equal(foldSteps([ev('x', 'failed', 1, { detail: { code: 'made-up' } })]).get('x')!.failureCode, null, 'an unknown code is none');
});
