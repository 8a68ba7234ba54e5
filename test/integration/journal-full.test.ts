// The state dir fills up while apply drives (issue 17): the state dir is a small tmpfs in a mount namespace of
// the driver's own, filled to the last byte at a step boundary (CUTOVER_TEST_FILL_AT). Inside the outage window
// apply rolls back from what it holds in memory: every identity served again by the tool itself, the Caddyfile
// byte-identical, exit 1, the lease released. Before the window: exit 1 (not 2), nothing down, the lease released.
// Needs root (mount) and unshare: it fails, never skips, without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';
import { BUNDLE, ensureBundle, REPO } from '../helpers/cli.ts';
import { readJournal } from '../helpers/driver.ts';
import { leaseHolder, RESERVE_FILE } from '../../src/journal/index.ts';

/**
 * apply with its state dir on a 300 MiB tmpfs (the preflight wants 256 MiB of headroom), filled at `fillAt`; afterwards the state dir (minus the filler)
 * is copied to `out` so the test can read the journal the driver left.
 */
async function applyOnSmallDisk(lab: TestLab, out: string, fillAt: string) {
  await ensureBundle();
  const script = [
    'set -u',
    'mnt=$(mktemp -d)',
    'mount -t tmpfs -o size=300m,mode=0700 tmpfs "$mnt" || exit 97',
    '"$NODE" "$BUNDLE" apply "$RUNBOOK" --yes --allow-destructive --state "$mnt"',
    'rc=$?',
    'df -k "$mnt" | tail -1 >&2',
    'rm -f "$mnt/.test-fill"',
    'mkdir -p "$OUT" && cp -a "$mnt/." "$OUT/"',
    'umount "$mnt"; rmdir "$mnt"',
    'exit $rc',
  ].join('\n');
  const env = { ...process.env, ...lab.env, NO_COLOR: '1', CUTOVER_TEST_FILL_AT: fillAt, NODE: process.execPath, BUNDLE, RUNBOOK: LAB_RUNBOOK, OUT: out };
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('unshare', ['-m', 'bash', '-c', script], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('state dir full inside the outage window, then before it: rolled back from memory (every identity served, exit 1, lease released); before the window exit 1, lease released', { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile);
  const before = legacyData(lab);

  // Inside the window: legacy daemons stopped, data copied, posta started, Caddy repointed; then the disk is full.
  const inside = join(lab.dir, 'state-inside');
  const r = await applyOnSmallDisk(lab, inside, 'after-step@repoint-caddy');
  assert.notEqual(r.code, 97, `mount failed (root and unshare -m are needed):\n${r.stderr}`);
  const all = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, all);
  assert.match(r.stdout, /JOURNAL WRITE FAILED \(database or disk is full\)/, all);
  assert.match(r.stdout, /smoke-public: not started: the journal cannot be written/, all);
  assert.match(r.stdout, /rolling back from memory/, all);
  assert.match(r.stdout, /↺ rolled back from memory; the legacy path is proven/, all);
  assert.doesNotMatch(r.stdout, /ROLLBACK INCOMPLETE/, all);
  // The tool itself served every identity again: Caddyfile byte-identical, legacy data as before, all served.
  assert.ok(readFileSync(caddyfile).equals(original), 'Caddyfile byte-identical to the original');
  assert.deepEqual(legacyData(lab), before, 'legacy data sha256-equal');
  await assertAllServed(lab);
  // The lease is released, and what was held in memory reached the journal once the reserve gave room.
  assert.ok(existsSync(join(inside, 'journal.sqlite')), 'the journal was copied out');
  readJournal(inside, (j) => {
    assert.equal(leaseHolder(j), null, 'the driver lease is released');
    const [run] = j.runs();
    assert.equal(run?.outcome, 'rolled-back', 'the run ended rolled back (saved from memory)');
    assert.equal(j.stepStates(run!.id).get('repoint-caddy')?.state, 'rolled-back');
    assert.equal(j.stepStates(run!.id).get('smoke-public'), undefined, 'the step that never started is not in the journal');
  });
  assert.match(r.stdout, /event\(s\) held in memory since the write failed are now on disk/, all);
  assert.ok(!existsSync(join(inside, RESERVE_FILE)), 'the reserve was spent on it');

  // Before the window: nothing is down, exit 1 (not 2), the lease released.
  const early = join(lab.dir, 'state-before');
  const e = await applyOnSmallDisk(lab, early, 'after-step@baseline');
  const eall = `${e.stdout}\n${e.stderr}`;
  assert.equal(e.code, 1, eall);
  assert.match(e.stdout, /create-container: not started: the journal cannot be written/, eall);
  assert.match(e.stdout, /stopped: the journal cannot be written, before the outage window: nothing is down/, eall);
  await assertAllServed(lab);
  readJournal(early, (j) => {
    assert.equal(leaseHolder(j), null, 'the driver lease is released');
    assert.equal(j.runs()[0]?.outcome, 'failed');
  });
});
