// The follower feed: a writer process records step events while this process follows the journal
// read-only. Measures delivery latency (printed) and checks the writer is never blocked by the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { REPO } from '../helpers/cli.ts';
import { openJournal, follow, type JournalEvent } from '../../src/journal/index.ts';

const JOURNAL = join(REPO, 'src/journal/index.ts');
const EVENTS = 100;
const INTERVAL_MS = 50;

test('follow() delivers a live writer\'s events in order within one poll interval, writer unblocked', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cutover-follow-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const stateDir = join(root, 'state');
  const w = openJournal({ stateDir });
  const runId = w.startRun({ runbookPath: '/r.toml', runbookName: 'r', runbookSha256: 'a'.repeat(64), runbookText: '', host: 'h', mode: 'apply' });
  w.close();

  const reader = openJournal({ stateDir, readonly: true });
  t.after(() => reader.close());
  const received: { e: JournalEvent; latency: number }[] = [];
  const stop = follow(reader, {
    afterEventId: reader.lastEventId(),
    intervalMs: INTERVAL_MS,
    onEvents: (batch) => {
      const now = Date.now();
      for (const e of batch) received.push({ e, latency: now - e.at });
    },
  });
  t.after(stop);

  const writer = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
      import { openJournal } from ${JSON.stringify(JOURNAL)};
      const j = openJournal({ stateDir: ${JSON.stringify(stateDir)} });
      let maxWrite = 0;
      for (let i = 0; i < ${EVENTS}; i++) {
        const t0 = performance.now();
        j.recordStep(${runId}, { stepKey: 'step-' + i, state: 'running', output: 'x'.repeat(2000) });
        maxWrite = Math.max(maxWrite, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 7 + (i % 5) * 5));
      }
      console.log(JSON.stringify({ maxWrite }));
      `,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => {
    if (writer.exitCode === null) writer.kill('SIGKILL');
  });
  let out = '';
  writer.stdout.on('data', (d) => (out += d));
  const [code] = await once(writer, 'exit');
  assert.equal(code, 0);
  const deadline = Date.now() + 2000;
  while (received.length < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  assert.equal(received.length, EVENTS);
  assert.deepEqual(received.map((r) => r.e.stepKey), Array.from({ length: EVENTS }, (_, i) => `step-${i}`));
  const lat = received.map((r) => r.latency).sort((a, b) => a - b);
  const p50 = lat[Math.floor(lat.length / 2)]!;
  const p95 = lat[Math.floor(lat.length * 0.95)]!;
  const max = lat[lat.length - 1]!;
  const { maxWrite } = JSON.parse(out) as { maxWrite: number };
  console.log(`follower latency over ${EVENTS} events at ${INTERVAL_MS} ms polling: p50 ${p50} ms, p95 ${p95} ms, max ${max} ms; writer's slowest write ${maxWrite.toFixed(1)} ms`);
  assert.ok(p95 <= INTERVAL_MS + 100, `p95 ${p95} ms`);
  assert.ok(maxWrite < 250, `writer blocked ${maxWrite} ms`);
});
