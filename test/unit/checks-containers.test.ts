import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunbook } from '../../src/runbook/load.ts';
import type { Instance } from '../../src/ports.ts';
import type { UpstreamItem } from '../../checks/types.ts';
import { derivePhase, evaluateContainers } from '../../checks/containers.ts';

const runbook = loadRunbook(new URL('../../runbooks/posta-cutover.toml', import.meta.url).pathname).runbook!;

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
  assert.match(red[0]!.why!, /^marcus-msg: Stopped/);
});

test('after: legacy stopped with autostart off and protection on, target Running → all green', () => {
  const items = evaluateContainers(runbook, [inst('posta', 'Running'), ...LEGACY.map((n) => inst(n, 'Stopped', retired))], 'after');
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items));
  const arne = items.find((i) => i.name === 'arne-msg')!;
  assert.equal(arne.autostart, false);
  assert.equal(arne.protectedDelete, true);
  assert.equal(arne.role, 'legacy');
});

test('after: a legacy container running again is red: "autostart brought it back"', () => {
  const items = evaluateContainers(runbook, [inst('posta', 'Running'), inst('arne-msg', 'Running', { 'boot.autostart': 'true' }), inst('marcus-msg', 'Stopped', retired), inst('tarald-msg', 'Stopped', retired)], 'after');
  const red = items.filter((i) => i.ok === false);
  assert.deepEqual(red.map((i) => i.name), ['arne-msg']);
  assert.match(red[0]!.actual, /autostart brought it back/);
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
