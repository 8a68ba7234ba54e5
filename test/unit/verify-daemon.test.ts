// verify's look at the target's daemon: the init script is read through the runtime port; a failed read
// (exec error, timeout) is tried again (3 times, 500 ms apart), then reported as 'cannot check' with the
// reason — never as "differs from the runbook's". A fake runtime port; no sleeping (the gaps are recorded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INIT_READ_GAP_MS, INIT_READ_RETRIES, observeDaemon } from '../../src/commands/verify.ts';
import { daemonObservation, evaluateVerify, type DaemonSpec } from '../../checks/verify.ts';
import { evaluateContainers } from '../../checks/containers.ts';
import { loadRunbook } from '../../src/runbook/load.ts';
import type { ExecResult, Instance, Runtime } from '../../src/ports.ts';
import type { SnapshotResult } from '../../checks/snapshot.ts';
import { CATALOG } from '../../src/actions/index.ts';

const INIT = '#!/sbin/openrc-run\ncommand=/usr/local/bin/posta\ncommand_args="serve --config /etc/posta/tenants.toml"\n';
const spec: DaemonSpec = { container: 'posta', service: 'posta', initPath: '/etc/init.d/posta', initContent: INIT };
const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });

/** A runtime whose `cat` answers from `reads` in turn (an Error is thrown, as a timed-out exec); status is started. */
function fakeRuntime(reads: (ExecResult | Error)[]) {
  const calls: string[][] = [];
  const runtime: Pick<Runtime, 'exec'> = {
    async exec(name, argv) {
      assert.equal(name, 'posta');
      calls.push(argv);
      if (argv[0] === 'service') return ok(' * status: started\n');
      const r = reads.shift() ?? new Error('no more answers');
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return { runtime, calls, cats: () => calls.filter((a) => a[0] === 'cat').length };
}

const sleeps: number[] = [];
const sleep = async (ms: number) => void sleeps.push(ms);

test('an init script that cannot be read is tried 1 + 3 times, 500 ms apart, then "cannot check" with the last reason', async () => {
  sleeps.length = 0;
  const busy = { exitCode: 1, stdout: '', stderr: 'Error: Instance is busy running a "start" operation' };
  const f = fakeRuntime([busy, busy, new Error('incus exec posta: timed out after 10000 ms'), { exitCode: 1, stdout: '', stderr: 'Error: websocket: close 1006\n' }]);
  const d = await observeDaemon(spec, f.runtime, { sleep });
  assert.equal(f.cats(), 1 + INIT_READ_RETRIES);
  assert.deepEqual(sleeps, Array(INIT_READ_RETRIES).fill(INIT_READ_GAP_MS));
  assert.deepEqual([INIT_READ_RETRIES, INIT_READ_GAP_MS], [3, 500]);
  assert.equal(d!.initScriptMatches, null, 'not "differs"');
  assert.equal(d!.initScriptUnread, 'Error: websocket: close 1006');
  assert.equal(d!.running, true);
});

test('a read that fails at first and then succeeds is judged on what it read (match, or differs)', async () => {
  sleeps.length = 0;
  const f = fakeRuntime([new Error('timed out'), { exitCode: 1, stdout: '', stderr: 'busy' }, ok(INIT)]);
  const d = await observeDaemon(spec, f.runtime, { sleep });
  assert.equal(f.cats(), 3);
  assert.deepEqual(sleeps, [500, 500]);
  assert.equal(d!.initScriptMatches, true);
  assert.equal(d!.initScriptUnread, undefined);
  const other = await observeDaemon(spec, fakeRuntime([ok('#!/sbin/openrc-run\ncommand_args="serve --tenant arne"\n')]).runtime, { sleep });
  assert.equal(other!.initScriptMatches, false);
});

test('a readable script is read once; no init script in the runbook, none is read; no spec, nothing runs', async () => {
  sleeps.length = 0;
  const f = fakeRuntime([ok(INIT)]);
  await observeDaemon(spec, f.runtime, { sleep });
  assert.equal(f.cats(), 1);
  assert.deepEqual(sleeps, []);
  const g = fakeRuntime([]);
  const d = await observeDaemon({ ...spec, initContent: null }, g.runtime, { sleep });
  assert.equal(g.cats(), 0);
  assert.equal(d!.initScriptMatches, null);
  assert.equal(d!.initScriptUnread, undefined);
  const h = fakeRuntime([]);
  assert.equal(await observeDaemon(null, h.runtime, { sleep }), null);
  assert.deepEqual(h.calls, []);
});

test('daemonObservation (pure): an unread script says why; a stopped service says its last line', () => {
  const unread = daemonObservation(spec, { exitCode: 3, stdout: ' * status: stopped\n', stderr: '' }, { exitCode: -1, stdout: '', stderr: 'timed out' });
  assert.deepEqual(unread, { service: 'posta', running: false, detail: '* status: stopped', initScriptMatches: null, initScriptUnread: 'timed out' });
  assert.equal(daemonObservation(spec, ok(''), { exitCode: 2, stdout: '', stderr: '' }).initScriptUnread, 'exit 2', 'no text: the exit code');
  assert.equal(daemonObservation(spec, { exitCode: 1, stdout: '', stderr: '' }, null).detail, 'exit 1');
});

test('the verify criterion: an unread script is "cannot check" with the reason, not a failure', () => {
  const rb = loadRunbook(new URL('../../runbooks/posta-cutover.toml', import.meta.url).pathname, { catalog: CATALOG }).runbook!;
  const inst: Instance = { name: 'posta', status: 'Running', type: 'container', ipv4: '10.0.0.9', config: {}, createdAt: null, lastUsedAt: null };
  const empty = { ok: true, items: [] };
  const s = { phase: 'after', ok: true, containers: { ok: true, items: evaluateContainers(rb, [inst], 'after') }, upstreams: empty, smoke: empty, tokens: empty } as unknown as SnapshotResult;
  const unread = daemonObservation(spec, ok('started'), { exitCode: 1, stdout: '', stderr: 'Error: Instance is busy' });
  const c = evaluateVerify(rb, s, unread, true).find((x) => x.id === 'target-running')!;
  assert.equal(c.ok, null);
  assert.match(c.actual, /^cannot check: \/etc\/init\.d\/posta could not be read: Error: Instance is busy$/);
  assert.doesNotMatch(c.actual, /differs/);
  const differs = evaluateVerify(rb, s, daemonObservation(spec, ok('started'), ok('other')), true).find((x) => x.id === 'target-running')!;
  assert.equal(differs.ok, false);
  assert.match(differs.actual, /differs from the runbook's/);
});
