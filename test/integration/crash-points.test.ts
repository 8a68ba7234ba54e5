// kill -9 at every step boundary and inside every file-writing action (CUTOVER_TEST_CRASH_AT makes the driver
// SIGKILL itself at a named point), then resume or roll back: every case must end consistent. Resumed: the
// next step runs, the cutover completes and verifies green. Rolled back: the Caddyfile on disk is
// byte-identical to the original, the live config is the original's, the legacy data is sha256-equal, the
// config keys are back and every identity is served again.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { readJournal, startDriver } from '../helpers/driver.ts';
import { adaptText, getConfig } from '../../src/adapters/caddy.ts';
import { configDifferences } from '../../src/caddyfile/semantic.ts';
import { loadRunbook } from '../../src/runbook/load.ts';
import { CATALOG } from '../../src/actions/index.ts';

const APPLY = ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive'];
/** Hold mode (issue 22): the same crash tests on the hold order, over the points where it differs. */
const HOLD_RUNBOOK = 'runbooks/lab/posta-cutover-hold.toml';
const LEGACY = ['arne-msg', 'marcus-msg', 'tarald-msg'];
const KEYS = ['boot.autostart', 'security.protection.delete'];

async function world(lab: TestLab) {
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const config: Record<string, string> = {};
  for (const c of LEGACY) for (const k of KEYS) config[`${c} ${k}`] = await lab.runtime.getConfig(c, k);
  return { file: readFileSync(caddyfile), data: legacyData(lab), config };
}

/** Runs apply with the crash point set; it must die by SIGKILL (the point was reached). */
async function crashAt(lab: TestLab, state: string, point: string, extra: string[] = [], runbook = LAB_RUNBOOK) {
  const d = await startDriver(['apply', runbook, '--yes', '--allow-destructive', '--state', state, ...extra], { ...lab.env, CUTOVER_TEST_CRASH_AT: point });
  const r = await d.done;
  assert.equal(r.signal, 'SIGKILL', `the driver reached ${point} and died there (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

/** After a rollback: file on disk = live config = the original, legacy data and config keys as before, all served. */
async function assertOriginal(lab: TestLab, before: Awaited<ReturnType<typeof world>>, label: string) {
  const now = await world(lab);
  assert.ok(now.file.equals(before.file), `${label}: Caddyfile byte-identical to the original`);
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const binary = join(lab.dir, 'bin', 'caddy');
  const [expected, live] = await Promise.all([adaptText(before.file.toString('utf8'), caddyfile, binary), getConfig(`http://${lab.config.caddy.ip}:${lab.config.caddy.adminPort}`)]);
  assert.deepEqual(configDifferences(expected.config, live.config), [], `${label}: the live Caddy config is the original's`);
  assert.deepEqual(now.data, before.data, `${label}: legacy data sha256-equal`);
  assert.deepEqual(now.config, before.config, `${label}: legacy config keys as before`);
  await assertAllServed(lab);
}

async function crashThenRollback(t: TestContext, points: string[], runbook = LAB_RUNBOOK) {
  const lab = await startLab(t);
  const before = await world(lab);
  let n = 0;
  for (const point of points) {
    const state = join(lab.dir, `state-${++n}`);
    await crashAt(lab, state, point, [], runbook);
    const rb = await cli(lab, ['rollback', runbook, '--yes', '--take-over', '--state', state]);
    assert.equal(rb.code, 0, `${point}: rollback\n${rb.stdout}\n${rb.stderr}`);
    await assertOriginal(lab, before, point);
    const again = await cli(lab, ['rollback', runbook, '--yes', '--state', state]);
    assert.equal(again.code, 0, `${point}: a second rollback\n${again.stdout}\n${again.stderr}`);
    await assertOriginal(lab, before, `${point} (second rollback)`);
  }
  return { lab, before };
}

/** The lab's CLI with room for a whole cutover on a busy machine (runCli's default is 60 s). */
const cli = (lab: { env: Record<string, string> }, args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });

test('kill -9 inside the repoint (after the backup, between the write and the reload, after the reload), then rollback: 3/3 consistent', { timeout: 900_000 }, async (t) => {
  await crashThenRollback(t, ['repoint:before-write', 'repoint:after-write', 'repoint:after-reload']);
});

test('kill -9 inside file.write (temp pushed, not renamed; renamed) and after config.set, then rollback: 3/3 consistent', { timeout: 900_000 }, async (t) => {
  // The lab runbook's file.write steps write into the new container, which the rollback leaves in place for
  // diagnosis (rollback none): what must hold is the legacy side, back as it was.
  // config.set first: it is the only point past token-survival (step 26), which needs the lab's devices to have
  // called the new daemon within its window; on a lab already through two cutovers and rollbacks that was flaky.
  await crashThenRollback(t, ['config.set:after-set@disable-autostart[marcus-msg]', 'file.write:before-rename@write-init', 'file.write:after-rename@write-manifest']);
});

test('kill -9 at every step boundary and inside every file-writing action, resumed each time with --take-over: the cutover completes, verifies green, and rolls back to the original', { timeout: 1_200_000 }, async (t) => {
  const lab = await startLab(t);
  const before = await world(lab);
  const state = join(lab.dir, 'state');
  const plan = loadRunbook(LAB_RUNBOOK, { catalog: CATALOG, env: { ...process.env, ...lab.env } }).steps!;
  assert.equal(plan.length, 35);
  // Inside points come before the boundary of their step.
  const inside: Record<string, string[]> = {
    'write-manifest': ['file.write:before-rename@write-manifest', 'file.write:after-rename@write-manifest'],
    'write-init': ['file.write:before-rename@write-init'],
    'repoint-caddy': ['repoint:before-write', 'repoint:after-write', 'repoint:after-reload'],
    'disable-autostart[arne-msg]': ['config.set:before-set@disable-autostart[arne-msg]', 'config.set:after-set@disable-autostart[arne-msg]'],
  };
  const points = plan.flatMap((s) => [...(inside[s.key] ?? []), `after-step@${s.key}`]);
  let consistent = 0;
  for (const point of points) {
    await crashAt(lab, state, point, ['--take-over']);
    consistent++;
  }
  assert.equal(consistent, points.length);
  const last = await cli(lab, [...APPLY, '--take-over', '--state', state, '--json']);
  assert.equal(last.code, 0, `${last.stdout}\n${last.stderr}`);
  const doc = JSON.parse(last.stdout) as { runId: number; outcome: string };
  assert.equal(doc.outcome, 'succeeded');
  const runs = readJournal(state, (j) => j.runs());
  assert.equal(runs.length, 1, 'every kill was resumed in the same run');
  const steps = readJournal(state, (j) => j.stepStates(doc.runId));
  for (const s of plan) assert.equal(steps.get(s.key)?.state, 'succeeded', s.key);
  const verify = await cli(lab, ['verify', LAB_RUNBOOK, '--state', state]);
  assert.equal(verify.code, 0, `verify after ${points.length} kills:\n${verify.stdout}\n${verify.stderr}`);
  const rb = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  await assertOriginal(lab, before, 'after the resumed cutover');
});

test('hold mode: kill -9 inside the hold window and inside the release, then rollback: consistent', { timeout: 900_000 }, async (t) => {
  // Inside the window (Caddy holding, legacy daemons stopped) and between the release's write and reload; and
  // inside the parallel final copies: all three journaled running, none has acted (a rollback undoes none of
  // them, but every stop before them).
  await crashThenRollback(t, ['after-step@stop-legacy[marcus]', 'group-started@copy-db[arne]', 'release:after-write'], HOLD_RUNBOOK);
});

test('hold mode: kill -9 at the boundaries where the hold order differs and inside the hold repoint and the release, resumed with --take-over: completes, verifies green, rolls back to the original', { timeout: 1_200_000 }, async (t) => {
  const lab = await startLab(t);
  const before = await world(lab);
  const state = join(lab.dir, 'state');
  const plan = loadRunbook(HOLD_RUNBOOK, { catalog: CATALOG, env: { ...process.env, ...lab.env } }).steps!;
  const points = [
    'after-step@copy-db-ahead[arne]',
    'after-step@dry-start',
    'repoint:after-write',
    'after-step@repoint-caddy',
    // The parallel steps: all three stops journaled running, none acted yet (the resume re-checks all three);
    // a stop that ended while its siblings may still be running; the same for the final copies.
    'group-started@stop-legacy[arne]',
    'after-step@stop-legacy[arne]',
    'group-started@copy-db[arne]',
    'after-step@copy-db[tarald]',
    'after-step@start-posta',
    'release:after-write',
    'release:after-reload',
  ];
  for (const point of points) await crashAt(lab, state, point, ['--take-over'], HOLD_RUNBOOK);
  const last = await cli(lab, ['apply', HOLD_RUNBOOK, '--yes', '--allow-destructive', '--take-over', '--state', state, '--json']);
  assert.equal(last.code, 0, `${last.stdout}\n${last.stderr}`);
  const doc = JSON.parse(last.stdout) as { runId: number; outcome: string };
  assert.equal(doc.outcome, 'succeeded');
  assert.equal(readJournal(state, (j) => j.runs()).length, 1, 'every kill was resumed in the same run');
  const steps = readJournal(state, (j) => j.stepStates(doc.runId));
  for (const s of plan) assert.equal(steps.get(s.key)?.state, 'succeeded', s.key);
  assert.doesNotMatch(readFileSync(join(lab.dir, 'caddy', 'Caddyfile'), 'utf8'), /#cutover:hold/, 'the hold settings are out');
  const verify = await cli(lab, ['verify', HOLD_RUNBOOK, '--state', state]);
  assert.equal(verify.code, 0, `verify after ${points.length} kills:\n${verify.stdout}\n${verify.stderr}`);
  const rb = await cli(lab, ['rollback', HOLD_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  await assertOriginal(lab, before, 'after the resumed hold-mode cutover');
});
