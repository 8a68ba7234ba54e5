// Stopping a legacy daemon through the adapter is visible in the device timeline as failures, and
// starting it again ends the outage — the client-side outage window the cockpit reports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { outageWindows, parseTimeline } from '../../src/engine/client-timeline.ts';
import { startLab } from '../helpers/lab.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('service posta stop in arne-msg shows as an outage in arne\'s device timeline only', async (t) => {
  const lab = await startLab(t);
  await sleep(600);
  const stopAt = Date.now();
  const stop = await lab.runtime.exec('arne-msg', ['service', 'posta', 'stop']);
  assert.equal(stop.exitCode, 0, stop.stderr);
  assert.equal((await lab.runtime.exec('arne-msg', ['service', 'posta', 'status'])).exitCode, 3, 'OpenRC: stopped = exit 3');
  await sleep(1200);
  const start = await lab.runtime.exec('arne-msg', ['service', 'posta', 'start']);
  assert.equal(start.exitCode, 0, start.stderr);
  await sleep(800);

  const events = parseTimeline(readFileSync(`${lab.dir}/devices/timeline.jsonl`, 'utf8'));
  const arneAfterStop = events.filter((e) => e.identity === 'arne' && Date.parse(e.t) > stopAt);
  assert.ok(arneAfterStop.some((e) => e.status !== 200), 'arne failed while its daemon was down');
  assert.equal(arneAfterStop.at(-1)?.status, 200, 'arne recovered after start');
  const windows = outageWindows(events).filter((w) => w.identity === 'arne');
  assert.equal(windows.length, 1);
  assert.ok(windows[0]!.ms >= 1000 && windows[0]!.ms < 5000, `outage ${windows[0]!.ms} ms`);
  assert.deepEqual(outageWindows(events).filter((w) => w.identity !== 'arne'), [], 'marcus and tarald never failed');
});

test('incus stop stops the container\'s daemon; incus start boots its enabled service', async (t) => {
  const lab = await startLab(t, ['--identities', '1']);
  await lab.runtime.stop('arne-msg');
  assert.equal((await lab.runtime.get('arne-msg'))?.status, 'Stopped');
  const refused = await fetch('http://127.0.10.11:8080/').then(() => 'answered', () => 'refused');
  assert.equal(refused, 'refused');
  await lab.runtime.start('arne-msg');
  assert.equal((await lab.runtime.exec('arne-msg', ['service', 'posta', 'status'])).exitCode, 0);
});
