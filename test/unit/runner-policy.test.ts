// The runner's pure parts: the --from/--through range, destructive steps, the journaled `changed` shapes
// the report reads, and the client-side outage from a device timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ResolvedStep } from '../../src/engine/types.ts';
import { checkRunbookText } from '../../src/runbook/load.ts';
import { destructiveSteps, isRepeatable, planRange } from '../../src/runner/policy.ts';
import { journalChanged, undoRecord } from '../../src/runner/changed.ts';
import { clientOutageFrom } from '../../src/runner/client-outage.ts';
import { CATALOG, REGISTRY } from '../../src/actions/index.ts';

const plan = (): ResolvedStep[] => {
  const r = checkRunbookText(readFileSync('runbooks/lab/posta-cutover.toml', 'utf8'), 'lab.toml', { catalog: CATALOG, env: { CUTOVER_LAB_DIR: '/lab' } });
  assert.ok(r.steps, JSON.stringify(r.problems));
  return r.steps;
};

test('planRange: ids cover every expansion, keys one; --through before --from and unknown steps are refused', () => {
  const p = plan();
  assert.deepEqual(planRange(p, 'stop-legacy', 'copy-keys').map((s) => s.key), ['stop-legacy[arne]', 'stop-legacy[marcus]', 'stop-legacy[tarald]', 'copy-keys[arne]', 'copy-keys[marcus]', 'copy-keys[tarald]']);
  assert.deepEqual(planRange(p, 'copy-db[marcus]', 'copy-db[marcus]').map((s) => s.key), ['copy-db[marcus]']);
  assert.equal(planRange(p).length, p.length);
  assert.throws(() => planRange(p, 'smoke-public', 'baseline'), /--through baseline comes before --from smoke-public/);
  assert.throws(() => planRange(p, 'stop-legacyy'), /no step "stop-legacyy" in the plan \(steps: baseline, create-container/);
});

test('destructiveSteps: the lab cutover names its stops, the repoint and the container stops', () => {
  assert.deepEqual(
    destructiveSteps(plan()).map((s) => s.key),
    ['stop-legacy[arne]', 'stop-legacy[marcus]', 'stop-legacy[tarald]', 'repoint-caddy', 'stop-legacy-containers[arne-msg]', 'stop-legacy-containers[marcus-msg]', 'stop-legacy-containers[tarald-msg]'],
  );
  assert.deepEqual(destructiveSteps(planRange(plan(), 'baseline', 'backup-legacy')), [], 'the preparation is not destructive');
});

test('every action of the lab cutover may be re-run after a crash inside it; gates and deletes may not', () => {
  for (const s of plan()) assert.ok(isRepeatable(CATALOG, s.action), `${s.key} (${s.action})`);
  for (const a of ['gate.operator', 'container.delete', 'exec', 'gate.stability']) assert.ok(!isRepeatable(CATALOG, a), a);
});

test('journalChanged: the report contract per action, with the executor record kept as undo', () => {
  const byKey = new Map(plan().map((s) => [s.key, s]));
  const copy = journalChanged(REGISTRY, byKey.get('copy-db[arne]')!, {
    summary: '',
    changed: { container: 'posta', paths: ['/var/lib/posta/arne/inbox.db'] },
    details: { files: [{ from: '/var/lib/posta/inbox.db', to: '/var/lib/posta/arne/inbox.db', size: 4096, sha256: 'ab'.repeat(32), mode: '0600' }] },
  });
  assert.deepEqual(copy, {
    fromContainer: 'arne-msg',
    from: '/var/lib/posta/inbox.db',
    toContainer: 'posta',
    to: '/var/lib/posta/arne/inbox.db',
    size: 4096,
    sha256: 'ab'.repeat(32),
    mode: '0600',
    owner: '0:0',
    sqlite: { integrity: 'ok' },
    undo: { container: 'posta', paths: ['/var/lib/posta/arne/inbox.db'] },
  });
  assert.deepEqual(undoRecord(copy), { container: 'posta', paths: ['/var/lib/posta/arne/inbox.db'] });

  const cfg = byKey.get('disable-autostart[arne-msg]')!;
  // A re-run after a crash sees the value the first attempt set; the intent from the first attempt wins.
  const rerun = journalChanged(REGISTRY, cfg, { summary: '', changed: { container: 'arne-msg', key: 'boot.autostart', previous: 'false' } }, { intent: { container: 'arne-msg', key: 'boot.autostart', previous: '' } });
  assert.deepEqual(rerun, { container: 'arne-msg', key: 'boot.autostart', from: null, to: 'false', undo: { container: 'arne-msg', key: 'boot.autostart', previous: '' } });

  const created = journalChanged(REGISTRY, byKey.get('create-container')!, { summary: '', changed: { container: 'posta', created: true } }, { ipv4: '127.0.10.14' });
  assert.deepEqual(created, { container: 'posta', image: 'images:alpine/3.21', profile: 'default', ipv4: '127.0.10.14', undo: { container: 'posta', created: true } });

  const stop = journalChanged(REGISTRY, byKey.get('stop-legacy[marcus]')!, { summary: '', changed: { container: 'marcus-msg', service: 'posta', wasRunning: true } });
  assert.deepEqual(stop, { container: 'marcus-msg', service: 'posta', wasRunning: true, undo: { container: 'marcus-msg', service: 'posta', wasRunning: true } });
  assert.equal(undoRecord(null), null);
  assert.deepEqual(undoRecord({ backupPath: '/x' }), { backupPath: '/x' }, 'older records without undo are used as they are');
});

test('clientOutageFrom: the longest gap per identity among the windows overlapping the run', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  const line = (s: number, identity: string, status: number) => JSON.stringify({ t: at(s), identity, status, ms: 3 });
  const timeline = [
    line(1, 'arne', 0), line(2, 'arne', 200), // an earlier blip, long before the run
    line(100, 'arne', 200), line(101, 'arne', 502), line(103, 'arne', 0), line(105, 'arne', 200),
    line(100, 'marcus', 200), line(102, 'marcus', 0), line(103, 'marcus', 200),
    line(100, 'tarald', 200), line(104, 'tarald', 200),
  ].join('\n');
  const from = Date.parse(at(101));
  const to = Date.parse(at(104));
  const o = clientOutageFrom(timeline, from, to, Date.parse(at(110)));
  assert.deepEqual(o, { ms: 5000, from: Date.parse(at(100)), to: Date.parse(at(105)), perIdentity: { arne: 5000, marcus: 3000 }, source: 'lab device timeline' });
  assert.deepEqual(clientOutageFrom(line(1, 'arne', 200), from, to, from), { ms: 0, perIdentity: {}, source: 'lab device timeline' });
});
