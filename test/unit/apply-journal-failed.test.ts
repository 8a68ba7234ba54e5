// apply's words when the journal cannot be written (src/runner/drive.ts DriveEnd 'journal-failed'): the step
// that failed as the journal broke is named with its reason (its record may never reach the disk), whether
// the run then stopped or rolled back from memory; a step that did not fail is not called failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journalFailureText } from '../../src/commands/apply.ts';
import type { DriveEnd } from '../../src/runner/drive.ts';
import type { RollbackOutcome, StepOutcome } from '../../src/runner/types.ts';

type End = Extract<DriveEnd, { kind: 'journal-failed' }>;
const copy: StepOutcome = { key: 'copy-db[arne]', state: 'failed', summary: 'failed', error: 'write /var/lib/cutover/tmp/db.sqlite: no space left on device\nmore detail', durationMs: 12 };
const ok: StepOutcome = { key: 'copy-db[arne]', state: 'succeeded', summary: 'copied 1.2 MiB', durationMs: 12 };
const o = { dir: '/var/lib/cutover', file: 'rb.toml', manualUndo: (keys: string[]) => keys.map((key) => ({ key, commands: [`incus start fismen:arne-msg`] })) };
const rollback = (good: boolean): RollbackOutcome => ({ ok: good, entries: good ? [] : [{ key: 'stop-legacy[arne]', ok: false, result: 'failed', summary: 'busy' }], smoke: null, proofs: [] });

test('stopped outside the window: the failed step and its reason are said, then how to go on', () => {
  const text = journalFailureText({ kind: 'journal-failed', failed: copy, down: false, windowOpened: false, rollback: null } satisfies End, copy, o);
  assert.match(text, /^✗ copy-db\[arne\] failed as the journal broke: write \/var\/lib\/cutover\/tmp\/db.sqlite: no space left on device$/m);
  assert.doesNotMatch(text, /more detail/, 'the first line of the error');
  assert.match(text, /stopped: the journal cannot be written, before the outage window: nothing is down/);
});

test('--no-rollback inside the window: the outage stays and the failed step is named in the stop line', () => {
  const text = journalFailureText({ kind: 'journal-failed', failed: copy, down: true, windowOpened: true, rollback: null }, copy, o);
  assert.match(text, /leaves the outage as it is and copy-db\[arne\] failed\. When there is room/);
});

test('rolled back from memory (complete or not): the failed step is named before the rollback\'s outcome', () => {
  const done = journalFailureText({ kind: 'journal-failed', failed: copy, down: true, windowOpened: true, rollback: rollback(true) }, copy, o);
  assert.match(done, /✗ copy-db\[arne\] failed as the journal broke: .*\n↺ rolled back from memory/);
  const left = journalFailureText({ kind: 'journal-failed', failed: copy, down: true, windowOpened: true, rollback: rollback(false) }, copy, o);
  assert.match(left, /✗ copy-db\[arne\] failed as the journal broke/);
  assert.match(left, /ROLLBACK INCOMPLETE: .*Do these by hand, in this order:\n {3}incus start fismen:arne-msg {4}# stop-legacy\[arne\]/);
});

test('no failed step (it succeeded, or was not run): nothing is called failed', () => {
  const text = journalFailureText({ kind: 'journal-failed', failed: null, down: false, windowOpened: true, rollback: null }, ok, o);
  assert.doesNotMatch(text, /failed as the journal broke/);
  assert.doesNotMatch(text, /copy-db/);
  assert.match(text, /after the outage window closed/);
  const notRun: StepOutcome = { key: 'stop-legacy[arne]', state: 'failed', summary: 'not started: the journal cannot be written', error: 'x', durationMs: 0, notRun: 'journal-failed' };
  const t2 = journalFailureText({ kind: 'journal-failed', failed: null, down: false, windowOpened: false, rollback: null }, notRun, o);
  assert.match(t2, /^✗ stop-legacy\[arne\]: not started: the journal cannot be written$/m);
  assert.doesNotMatch(t2, /failed as the journal broke/);
});
