import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineRefs, baselineResolver, fingerprint, hashToken, MissingBaseline } from '../../checks/baseline.ts';
import { selectorText } from '../../checks/conditions.ts';
import { combine, snapshotOk } from '../../checks/snapshot.ts';
import type { Panel, Verdict } from '../../checks/types.ts';

test('baselineRefs finds `<selector> == {{baseline.NAME}}` comparisons only', () => {
  const refs = baselineRefs('body.publicKey == {{baseline.public_key}}');
  assert.deepEqual(refs.map((r) => [r.name, selectorText(r.selector)]), [['public_key', 'body.publicKey']]);
  assert.deepEqual(baselineRefs('status == 200 && body.keys[0].pem == {{ baseline.pem }}').map((r) => r.name), ['pem']);
  assert.deepEqual(baselineRefs('status == 200'), []);
  assert.deepEqual(baselineRefs('body.x != {{baseline.public_key}}'), [], 'only == captures');
});

test('resolver: recorded value, or MissingBaseline naming identity and field', () => {
  const resolve = baselineResolver({ runbook: 'r', recordedAt: '', identities: { arne: { values: { public_key: 'K' }, tokens: [], schemaVersion: 2 } } });
  assert.equal(resolve('public_key', 'arne'), 'K');
  assert.throws(() => resolve('public_key', 'marcus'), (e: unknown) => e instanceof MissingBaseline && /marcus \(public_key\)/.test(e.message));
  assert.throws(() => baselineResolver(null)('public_key', 'arne'), MissingBaseline);
});

test('hash and fingerprint are stable and do not contain the input', () => {
  assert.equal(hashToken('pt_abc'), hashToken('pt_abc'));
  assert.notEqual(hashToken('pt_abc'), hashToken('pt_abd'));
  assert.match(fingerprint('q1lr+YxzHV'), /^sha256:[A-Za-z0-9+/]{12}$/);
});

test('combine and snapshotOk: red wins, then cannot-check, panels not built are ignored', () => {
  assert.equal(combine([true, true]), true);
  assert.equal(combine([true, null]), null);
  assert.equal(combine([null, false]), false);
  const p = (ok: boolean | null, error?: string): Panel<Verdict> => ({ panel: 'smoke', ok, items: [], checkedAt: 0, durationMs: 0, ...(error ? { error } : {}) });
  assert.equal(snapshotOk([p(true), p(null)]), true, 'a panel with nothing to say does not block green');
  assert.equal(snapshotOk([p(true), p(null, 'incus missing')]), null);
  assert.equal(snapshotOk([p(false), p(null, 'incus missing')]), false);
});
