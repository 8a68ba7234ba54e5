// Progress for long archives: the pure line formatter (bytes, percent, ETA, rate) and the reporter's two
// modes — one redrawn line on a TTY, plain lines at most every few seconds otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, progressLine, progressReporter } from '../../src/backup/progress.ts';

const MiB = 1024 * 1024;

test('progressLine: bytes of total, percent, ETA from the rate so far, rate', () => {
  // 256 MiB of 1 GiB in 8 s → 32 MiB/s → 768 MiB left = 24 s
  assert.equal(progressLine({ phase: 'uptime-kuma archive', bytes: 256 * MiB, totalBytes: 1024 * MiB }, 8000), 'uptime-kuma archive: 256.0 MiB / 1.0 GiB (25%) · ETA 00:24 · 32.0 MiB/s');
  assert.equal(progressLine({ phase: 'a', bytes: 10 * MiB }, 2000), 'a: 10.0 MiB · 5.0 MiB/s', 'no total: no percent, no ETA');
  assert.equal(progressLine({ phase: 'a', bytes: 0, totalBytes: 100 }, 0), 'a: 0 B / 100 B (0%)', 'no rate yet: no ETA');
  // tar bytes run a little past the uncompressed estimate (headers): capped at 100%, no ETA
  assert.equal(progressLine({ phase: 'a', bytes: 110, totalBytes: 100 }, 1000), 'a: 110 B / 100 B (100%) · 110 B/s');
});

test('formatDuration: mm:ss under an hour, h:mm:ss above', () => {
  assert.equal(formatDuration(0), '00:00');
  assert.equal(formatDuration(61_000), '01:01');
  assert.equal(formatDuration(3_599_000), '59:59');
  assert.equal(formatDuration(3_723_000), '1:02:03');
});

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (x: string) => out.push(x) } };
}

test('on a TTY: one line redrawn in place (\\r + clear line), at most every 200 ms, newline when done', () => {
  let now = 0;
  const { out, s } = sink(true);
  const p = progressReporter(s, { now: () => now });
  now = 100;
  p({ phase: 'x', bytes: MiB, totalBytes: 4 * MiB });
  now = 200;
  p({ phase: 'x', bytes: 2 * MiB, totalBytes: 4 * MiB });
  now = 350;
  p({ phase: 'x', bytes: 3 * MiB, totalBytes: 4 * MiB });
  p.done();
  assert.deepEqual(out, ['\r\x1b[2Kx: 1.0 MiB / 4.0 MiB (25%) · ETA 00:00 · 10.0 MiB/s', '\r\x1b[2Kx: 3.0 MiB / 4.0 MiB (75%) · ETA 00:00 · 8.6 MiB/s', '\n']);
});

test('not a TTY: plain lines (no control characters), at most one every plainEveryMs; done adds nothing', () => {
  let now = 0;
  const { out, s } = sink(false);
  const p = progressReporter(s, { now: () => now, plainEveryMs: 5000 });
  for (let i = 1; i <= 12; i++) {
    now = i * 1000;
    p({ phase: 'x', bytes: i * MiB, totalBytes: 12 * MiB });
  }
  p.done();
  assert.deepEqual(out, ['x: 1.0 MiB / 12.0 MiB (8%) · ETA 00:11 · 1.0 MiB/s\n', 'x: 6.0 MiB / 12.0 MiB (50%) · ETA 00:06 · 1.0 MiB/s\n', 'x: 11.0 MiB / 12.0 MiB (92%) · ETA 00:01 · 1.0 MiB/s\n']);
  assert.ok(out.every((l) => !/[\r\x1b]/.test(l)));
});
