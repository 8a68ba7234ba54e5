// The device simulator against the stand-in directly (no Caddy: the daemon's address stands in for it),
// plus the stand-in's start-up time. On 127.0.10.244.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDevices } from '../../src/lab/devices/simulator.ts';
import { outageWindows, parseTimeline, timelineSummary } from '../../src/engine/client-timeline.ts';
import { seedMultiTenant, startNode, startPosta, tempRoot, type PostaProcess } from '../helpers/posta-standin.ts';

const ADDR = '127.0.10.244:18404';
const MANIFEST = '/etc/posta/identities.toml';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('devices record a ~1 s daemon stop as one outage window per identity', async (t) => {
  const root = tempRoot('posta-devices-');
  const fixtures = seedMultiTenant(root, ['arne', 'marcus']);
  const serveArgs = ['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root];
  const running: PostaProcess[] = [];
  const start = async () => {
    const p = await startPosta(serveArgs);
    running.push(p);
    await p.waitFor(/listening on/);
  };
  const timelineFile = join(root, 'devices/timeline.jsonl');
  await start();
  const intervalMs = 100;
  const devices = await startDevices({
    caddyUrl: `http://${ADDR}`,
    identities: fixtures.map((f) => ({ slug: f.slug, host: f.host, token: f.tokens[0]!.token })),
    intervalMs,
    timelineFile,
    timeoutMs: 500,
  });
  t.after(async () => {
    await devices.stop();
    for (const p of running) await p.stop();
  });

  await sleep(800);
  const downAt = Date.now();
  await running[0]!.stop();
  await sleep(1000);
  await start();
  const upAt = Date.now();
  await sleep(800);
  await devices.stop();
  const sizeAtStop = statSync(timelineFile).size;
  await sleep(300);
  assert.equal(statSync(timelineFile).size, sizeAtStop, 'nothing is written after stop()');
  assert.equal(statSync(timelineFile).mode & 0o777, 0o600);

  const events = parseTimeline(readFileSync(timelineFile, 'utf8'));
  const windows = outageWindows(events);
  t.diagnostic(`daemon down ${upAt - downAt} ms; windows: ${windows.map((w) => `${w.identity} ${w.ms} ms/${w.failures} failures`).join(', ')}`);
  assert.deepEqual(windows.map((w) => w.identity).sort(), ['arne', 'marcus'], 'exactly one window per identity');
  for (const w of windows) {
    assert.notEqual(w.end, null, `${w.identity}'s outage closed after the restart`);
    assert.ok(w.ms >= 900 && w.ms <= upAt - downAt + 2 * intervalMs + 300, `${w.identity} outage ${w.ms} ms ≈ the ${upAt - downAt} ms the daemon was down`);
    assert.ok(w.failures >= 5, `${w.identity}: ${w.failures} failed calls`);
  }
  const failure = events.find((e) => e.status !== 200)!;
  assert.equal(failure.status, 0);
  assert.match(failure.error ?? '', /refused|reset/);

  const summary = timelineSummary(events);
  for (const f of fixtures) {
    const s = summary[f.slug]!;
    assert.equal(s.lastStatus, 200);
    assert.equal(s.requests, s.ok + s.failures);
    assert.ok(s.ok >= 10, `${f.slug}: ${s.ok} ok calls`);
    // Bounded: one call in flight per device and at most one call per interval.
    const starts = events.filter((e) => e.identity === f.slug).map((e) => Date.parse(e.t));
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= intervalMs - 2, `calls ${i - 1}→${i} ${starts[i]! - starts[i - 1]!} ms apart`);
    assert.ok(s.requests <= Math.ceil(3200 / intervalMs) + 5, `${f.slug}: ${s.requests} calls in ~3 s`);
  }
});

test('start-up to listening is fast (bundled stand-in, three identities)', async (t) => {
  const root = tempRoot('posta-startup-');
  seedMultiTenant(root, ['arne', 'marcus', 'tarald'], 300);
  // A bare `node` that prints the same line at once: the floor this machine (and its current load) sets.
  const floorScript = join(root, 'floor.cjs');
  writeFileSync(floorScript, "process.stdout.write('listening on floor\\n'); setTimeout(() => {}, 60000);");
  const spawnToListening = async (args: string[], useNode: boolean) => {
    const started = performance.now();
    const p = useNode ? await startNode(floorScript) : await startPosta(args);
    t.after(() => p.stop());
    const log = await p.waitFor(/listening on \S+/);
    const ms = performance.now() - started;
    await p.stop();
    return { ms, log };
  };
  const posta: number[] = [];
  const inProcess: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < 7; i++) {
    const run = await spawnToListening(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root], false);
    posta.push(run.ms);
    inProcess.push(Number(/startup_ms=(\d+)/.exec(run.log)?.[1]));
    floor.push((await spawnToListening([], true)).ms);
  }
  const min = (xs: number[]) => Math.min(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  t.diagnostic(
    `spawn to "listening" line: min ${min(posta).toFixed(0)} ms, median ${median(posta).toFixed(0)} ms; ` +
      `in-process startup_ms median ${median(inProcess)} ms; bare node floor min ${min(floor).toFixed(0)} ms, median ${median(floor).toFixed(0)} ms`,
  );
  // What the stand-in adds on top of starting Node at all (a shared machine's load moves both alike).
  assert.ok(min(posta) - min(floor) < 100, `posta-server start-up costs ${(min(posta) - min(floor)).toFixed(0)} ms over bare node (budget 100 ms)`);
});
