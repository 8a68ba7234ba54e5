// "Rolling back" is a state of its own: from the journal (a rollback started and not ended), the same World for
// the cockpit header, `status` and the report; it ends as "rolled back" once the rollback ends the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../../src/journal/index.ts';
import { journalFacts } from '../../src/report/facts.ts';
import { containerExpectations, describeWorld, worldOf } from '../../src/engine/expect.ts';

test('a rollback started and not ended is "rolling back"; ended, "rolled back"', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-world-rb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const j = openJournal({ stateDir: dir, env: { USER: 'kari' } });
  try {
    const id = j.startRun({ runbookPath: 'rb.toml', runbookName: 'demo', runbookSha256: 'f'.repeat(64), runbookText: '', host: 'fismen', mode: 'apply' });
    for (const [key, action] of [['stop-legacy[arne-msg]', 'service.stop'], ['repoint-caddy', 'proxy.repoint']] as const) {
      j.recordStep(id, { stepKey: key, state: 'running', action });
      j.recordStep(id, { stepKey: key, state: 'succeeded' });
    }
    j.endRun(id, 'succeeded');
    assert.equal(worldOf(journalFacts(j, 2)).kind, 'after');

    // The rollback of the finished run starts (src/runner/rollback.ts notes it) and undoes one step.
    j.addNote(id, 'rollback: 2 step(s) to undo, newest first');
    j.recordStep(id, { stepKey: 'repoint-caddy', state: 'rolled-back' });
    const mid = journalFacts(j, 2);
    assert.deepEqual(worldOf(mid), { kind: 'rolling-back', runId: id, undone: 1 });
    assert.equal(describeWorld(worldOf(mid)), `rolling back (run #${id}): 1 step(s) undone so far`);
    // Mid-rollback the legacy container is neither "stopped by the run" nor "serving again" yet: not judged.
    const legacy = containerExpectations([{ name: 'arne-msg', role: 'legacy' }], mid, 'before')[0]!;
    assert.equal(legacy.expect, 'any');
    assert.match(legacy.source, /is being rolled back/);

    j.recordStep(id, { stepKey: 'stop-legacy[arne-msg]', state: 'rolled-back' });
    j.endRun(id, 'rolled-back');
    const done = journalFacts(j, 2);
    assert.equal(worldOf(done).kind, 'rolled-back');
    assert.equal(containerExpectations([{ name: 'arne-msg', role: 'legacy' }], done, 'before')[0]!.expect, 'running');
  } finally {
    j.close();
  }
});
