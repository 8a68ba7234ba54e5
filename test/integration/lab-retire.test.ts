// `lab up` on a new lab retires the lab runbooks' state: renamed (kept, not deleted), with a note in its journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../../src/journal/index.ts';
import { retireLabState } from '../../src/commands/lab-retire.ts';

test('lab up retires the lab runbooks\' state: renamed, RETIRED.txt, a note in the journal', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cutover-retire-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env = { XDG_STATE_HOME: root };
  const dir = join(root, 'cutover', 'posta-multitenant-cutover-lab');
  const j = openJournal({ stateDir: dir, env: { USER: 'ingrid' } });
  const runId = j.startRun({ runbookPath: 'runbooks/lab/posta-cutover.toml', runbookName: 'posta-multitenant-cutover-lab', runbookSha256: 'f'.repeat(64), runbookText: '', host: 'fismen-lab', mode: 'run' });
  j.close();

  const retired = retireLabState(env, '/tmp/new-lab', new Date(Date.UTC(2026, 11, 3, 7, 30)));
  assert.equal(retired.length, 1);
  assert.equal(retired[0]!.to, `${dir}.retired-20261203T073000Z`);
  assert.equal(retired[0]!.runs, 1);
  assert.ok(!existsSync(dir), 'a new cockpit starts a new run');
  assert.match(readFileSync(join(retired[0]!.to, 'RETIRED.txt'), 'utf8'), /retired by `cutover lab up` at 2026-12-03T07:30:00.000Z: a new lab was built in \/tmp\/new-lab/);
  const old = openJournal({ stateDir: retired[0]!.to, readonly: true });
  t.after(() => old.close());
  const notes = old.events(runId).filter((e) => e.kind === 'note');
  assert.equal(notes.length, 1);
  assert.match(JSON.stringify(notes[0]), /retired by `cutover lab up`/);
  // Nothing there: nothing to retire.
  assert.deepEqual(retireLabState(env, '/tmp/new-lab'), []);
});
