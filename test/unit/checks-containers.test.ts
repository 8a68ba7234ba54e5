import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunbook } from '../../src/runbook/load.ts';
import type { Instance } from '../../src/ports.ts';
import type { UpstreamItem } from '../../checks/types.ts';
import { derivePhase, evaluateContainers } from '../../checks/containers.ts';
import { worldOf, type JournalFacts } from '../../src/engine/expect.ts';
import type { StepState } from '../../src/engine/types.ts';
import { CATALOG } from '../../src/actions/index.ts';

const runbook = loadRunbook(new URL('../../runbooks/posta-cutover.toml', import.meta.url).pathname, { catalog: CATALOG }).runbook!;

function inst(name: string, status: string, config: Record<string, string> = {}, ipv4: string | null = status === 'Running' ? '127.0.10.20' : null): Instance {
  return { name, status, type: 'container', ipv4, config, createdAt: null, lastUsedAt: null };
}
const LEGACY = ['arne-msg', 'marcus-msg', 'tarald-msg'];
const retired = { 'boot.autostart': 'false', 'security.protection.delete': 'true' };

test('before the cutover: legacy Running is green, the target may not exist yet', () => {
  const items = evaluateContainers(runbook, LEGACY.map((n) => inst(n, 'Running')), 'before');
  assert.equal(items.length, 4);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items));
  assert.equal(items.find((i) => i.name === 'posta')!.actual, 'not created yet');
});

test('before the cutover: a stopped legacy container is red and named', () => {
  const items = evaluateContainers(runbook, [inst('arne-msg', 'Running'), inst('marcus-msg', 'Stopped'), inst('tarald-msg', 'Running')], 'before');
  const red = items.filter((i) => i.ok === false);
  assert.deepEqual(red.map((i) => i.name), ['marcus-msg']);
  assert.match(red[0]!.why!, /^marcus-msg: expected Running \(serves until the cutover\), got Stopped$/);
});

test('after: legacy stopped with autostart off and protection on, target Running → all green', () => {
  const items = evaluateContainers(runbook, [inst('posta', 'Running'), ...LEGACY.map((n) => inst(n, 'Stopped', retired))], 'after');
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items));
  const arne = items.find((i) => i.name === 'arne-msg')!;
  assert.equal(arne.autostart, false);
  assert.equal(arne.protectedDelete, true);
  assert.equal(arne.role, 'legacy');
});

/** A cutover run's journal: every step of `done` succeeded, `outcome` as given. */
function facts(done: [key: string, action: string, container: string | null][], outcome: NonNullable<JournalFacts['cutover']>['outcome'] = null, state: StepState = 'succeeded'): JournalFacts {
  return { cutover: { runId: 3, startedAt: Date.parse('2026-05-10T00:40:00Z'), outcome, planned: 35, steps: done.map(([key, action, container]) => ({ key, action, state, container })) }, deleted: new Map() };
}
const STOPPED_ALL = LEGACY.map((n): [string, string, string] => [`stop-legacy-containers[${n}]`, 'container.stop', n]);
const REPOINTED: [string, string, string | null][] = [['start-posta', 'service.start', 'posta'], ['repoint-caddy', 'proxy.repoint', null]];

test('after: a legacy container this run stopped that runs again is red: "autostart brought it back"', () => {
  const items = evaluateContainers(runbook, [inst('posta', 'Running'), inst('arne-msg', 'Running', { 'boot.autostart': 'true' }), inst('marcus-msg', 'Stopped', retired), inst('tarald-msg', 'Stopped', retired)], 'after', facts([...REPOINTED, ...STOPPED_ALL], 'succeeded'));
  const red = items.filter((i) => i.ok === false);
  assert.deepEqual(red.map((i) => i.name), ['arne-msg']);
  assert.match(red[0]!.actual, /autostart brought it back/);
  assert.match(red[0]!.why!, /\(run #3: stop-legacy-containers\[arne-msg\] done\)/);
});

test('mid-run between the repoint (23) and the legacy stop (33): legacy Running is green, nobody blames autostart', () => {
  const f = facts(REPOINTED);
  assert.equal(worldOf(f).kind, 'mid-run');
  const items = evaluateContainers(runbook, [inst('posta', 'Running'), ...LEGACY.map((n) => inst(n, 'Running'))], 'after', f);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items, null, 1));
  assert.match(items.find((i) => i.name === 'arne-msg')!.expected, /Running/);
  // Once its stop is done, a stopped legacy container is expected stopped.
  const later = evaluateContainers(runbook, [inst('posta', 'Running'), inst('arne-msg', 'Stopped', retired), inst('marcus-msg', 'Running'), inst('tarald-msg', 'Running')], 'after', facts([...REPOINTED, STOPPED_ALL[0]!]));
  assert.ok(later.every((i) => i.ok === true), JSON.stringify(later, null, 1));
});

test('rolled back: the legacy containers are expected to serve, the target is left as it is', () => {
  const f = facts([...REPOINTED, ...STOPPED_ALL], 'rolled-back', 'rolled-back');
  assert.equal(worldOf(f).kind, 'rolled-back');
  const items = evaluateContainers(runbook, [inst('posta', 'Stopped'), ...LEGACY.map((n) => inst(n, 'Running'))], 'before', f);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items, null, 1));
  const down = evaluateContainers(runbook, [inst('posta', 'Running'), inst('arne-msg', 'Stopped'), inst('marcus-msg', 'Running'), inst('tarald-msg', 'Running')], 'before', f);
  assert.match(down.find((i) => i.name === 'arne-msg')!.why!, /expected Running \(run #3 was rolled back: the legacy path serves again\), got Stopped/);
});

test('decommissioned: a deleted legacy container is ✓ "deleted by decommission run #N (archive …)"', () => {
  const f: JournalFacts = { ...facts([...REPOINTED, ...STOPPED_ALL], 'succeeded'), deleted: new Map(LEGACY.map((n) => [n, { runId: 5, archive: `/var/backups/${n}.tar.gz`, at: Date.parse('2026-05-18T00:00:00Z') }])) };
  assert.equal(worldOf(f).kind, 'decommissioned');
  const items = evaluateContainers(runbook, [inst('posta', 'Running')], 'after', f);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items, null, 1));
  assert.equal(items.find((i) => i.name === 'arne-msg')!.actual, 'deleted by decommission run #5 (archive /var/backups/arne-msg.tar.gz)');
});

test('after: autostart unset, protection off, deleted legacy and stopped target are each red with the reason', () => {
  const items = evaluateContainers(runbook, [inst('posta', 'Stopped'), inst('arne-msg', 'Stopped'), inst('marcus-msg', 'Stopped', { 'boot.autostart': 'false' })], 'after');
  const by = (n: string) => items.find((i) => i.name === n)!;
  assert.equal(by('posta').ok, false);
  assert.equal(by('posta').actual, 'Stopped');
  assert.match(by('arne-msg').actual, /boot\.autostart is unset/);
  assert.match(by('arne-msg').actual, /delete protection off/);
  assert.equal(by('marcus-msg').actual, 'delete protection off');
  assert.match(by('tarald-msg').actual, /does not exist/);
});

test('phase: from the live proxy when known, else from the containers', () => {
  const up = (pointsAt: string | null): UpstreamItem => ({ site: 'arne.posta.no', fileDials: [], liveDials: [], pool: [], drift: false, pointsAt, ok: true, expected: '', actual: '' });
  const running = LEGACY.map((n) => inst(n, 'Running'));
  assert.equal(derivePhase(runbook, running, [up('posta')]), 'after');
  assert.equal(derivePhase(runbook, running, [up('arne-msg')]), 'before');
  assert.equal(derivePhase(runbook, running, null), 'before');
  assert.equal(derivePhase(runbook, [inst('posta', 'Running'), ...LEGACY.map((n) => inst(n, 'Stopped'))], null), 'after');
  assert.equal(derivePhase(runbook, [inst('posta', 'Running'), ...running], []), 'before');
});

test('a rebuilt world (legacy containers created after the journaled run, or after their deletion): the journal does not apply', () => {
  const f: JournalFacts = { ...facts([...REPOINTED, ...STOPPED_ALL], 'succeeded'), deleted: new Map(LEGACY.map((n) => [n, { runId: 5, archive: null, at: Date.parse('2026-05-18T00:00:00Z') }])) };
  const rebuilt = LEGACY.map((n) => ({ ...inst(n, 'Running'), createdAt: '2026-06-01T00:00:00Z' }));
  const items = evaluateContainers(runbook, rebuilt, 'before', f);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items, null, 1));
  // The same containers, created before the run: the deletion stands and they are red.
  const old = LEGACY.map((n) => ({ ...inst(n, 'Running'), createdAt: '2026-01-01T00:00:00Z' }));
  const red = evaluateContainers(runbook, old, 'before', f).filter((i) => i.ok === false);
  assert.deepEqual(red.map((i) => i.name), LEGACY);
  assert.match(red[0]!.why!, /^arne-msg: expected absent \(deleted by decommission run #5\), got Running: still exists$/);
});
