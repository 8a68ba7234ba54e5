import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTokens, pickToken, type TokenDbRead, type TokenRow } from '../../checks/tokens.ts';
import { hashToken, maskToken, type IdentityBaseline } from '../../checks/baseline.ts';

const RECORDED = '2026-05-10T00:40:00.000Z';
const tui: TokenRow = { device: 'tui-dev', secret: 'pt_tuiSECRETtuiSECRET', createdAt: '2026-02-01T00:00:00Z', lastSeenAt: '2026-05-10T00:39:00.000Z' };
const phone: TokenRow = { device: 'phone', secret: 'pt_phoneSECRETphone', createdAt: '2026-02-01T00:00:00Z', lastSeenAt: '2026-03-01T00:00:00.000Z' };

function baselineOf(rows: TokenRow[]): IdentityBaseline {
  return { values: {}, schemaVersion: 2, tokens: rows.map((r) => ({ device: r.device, tokenHash: hashToken(r.secret), tokenMasked: maskToken(r.secret), createdAt: r.createdAt, lastSeenAt: r.lastSeenAt })) };
}
const read = (rows: TokenRow[], schemaVersion = 3): TokenDbRead => ({ container: 'posta', path: '/var/lib/posta/arne/inbox.db', schemaVersion, rows });
const evalAfter = (rows: TokenRow[], baseline: IdentityBaseline | null) =>
  evaluateTokens({ identity: 'arne', phase: 'after', read: read(rows), baseline, baselineRecordedAt: RECORDED, now: Date.parse('2026-05-10T00:50:00Z') });

test('masking never shows the secret', () => {
  assert.equal(maskToken('pt_tuiSECRETtuiSECRET'), 'pt_tui…');
  assert.equal(maskToken('abcdefghijklmnop'), 'abcd…');
  assert.equal(maskToken('short'), '…');
  const items = evalAfter([{ ...tui, lastSeenAt: '2026-05-10T00:45:00.000Z' }], null);
  assert.ok(!JSON.stringify(items).includes('SECRET'), 'no secret in any item');
});

test('without a baseline: rows listed, survival unknown, schema version carried', () => {
  const items = evaluateTokens({ identity: 'arne', phase: 'before', read: read([tui, phone], 2), baseline: null, baselineRecordedAt: null, now: 0 });
  assert.deepEqual(items.map((i) => [i.device, i.survived, i.ok, i.schemaVersion]), [['tui-dev', null, true, 2], ['phone', null, true, 2]]);
});

test('after the cutover: all baseline tokens present and the active device seen again → green', () => {
  const items = evalAfter([{ ...tui, lastSeenAt: '2026-05-10T00:45:00.000Z' }, phone], baselineOf([tui, phone]));
  assert.ok(items.every((i) => i.ok === true && i.survived === true), JSON.stringify(items));
  assert.match(items[0]!.expected, /seen again/);
  assert.equal(items[1]!.expected, 'survived', 'an idle device only has to survive');
});

test('a token missing from the new DB fails naming the identity, device and masked token', () => {
  const items = evalAfter([{ ...tui, lastSeenAt: '2026-05-10T00:45:00.000Z' }], baselineOf([tui, phone]));
  const red = items.filter((i) => i.ok === false);
  assert.equal(red.length, 1);
  assert.equal(red[0]!.device, 'phone');
  assert.equal(red[0]!.survived, false);
  assert.equal(red[0]!.why, 'arne/phone (pt_pho…): expected present (baseline), got missing from posta:/var/lib/posta/arne/inbox.db');
  // With the baseline's source: the run that recorded it.
  const named = evaluateTokens({ identity: 'arne', phase: 'after', read: read([]), baseline: baselineOf([phone]), baselineRecordedAt: RECORDED, baselineSource: 'baseline, run #1', now: 0 });
  assert.equal(named[0]!.why, 'arne/phone (pt_pho…): expected present (baseline, run #1), got missing from posta:/var/lib/posta/arne/inbox.db');
});

test('an active device whose last_seen_at did not advance is red after the cutover, not before', () => {
  const after = evalAfter([tui], baselineOf([tui]));
  assert.equal(after[0]!.ok, false);
  assert.equal(after[0]!.why, 'arne/tui-dev: last_seen_at: expected after 2026-05-10T00:39:00.000Z (baseline), got 2026-05-10T00:39:00.000Z');
  assert.match(after[0]!.actual, /not advanced since the baseline/);
  const before = evaluateTokens({ identity: 'arne', phase: 'before', read: read([tui], 2), baseline: baselineOf([tui]), baselineRecordedAt: RECORDED, now: 0 });
  assert.equal(before[0]!.ok, true);
});

test('a token with the same name but a different secret does not count as survived', () => {
  const items = evalAfter([{ ...phone, secret: 'pt_phoneOTHERsecret' }], baselineOf([phone]));
  assert.equal(items.find((i) => i.survived === false)?.device, 'phone');
  assert.equal(items.find((i) => i.survived === null)?.actual.includes('new since the baseline'), true);
});

test('an unreadable DB is unknown (not green), with the reason', () => {
  const items = evaluateTokens({ identity: 'marcus', phase: 'after', read: { error: 'cannot read posta:/x: no such file' }, baseline: null, baselineRecordedAt: null, now: 0 });
  assert.equal(items.length, 1);
  assert.equal(items[0]!.ok, null);
  assert.match(items[0]!.why!, /^marcus: cannot read/);
});

test('an empty token table is one row saying so', () => {
  const items = evalAfter([], null);
  assert.deepEqual(items.map((i) => [i.ok, i.actual]), [[true, 'no device tokens']]);
});

test('pickToken takes the most recently seen device', () => {
  assert.equal(pickToken([phone, tui])!.device, 'tui-dev');
  assert.equal(pickToken([{ ...phone, lastSeenAt: null }])!.device, 'phone', 'a never-seen token is still usable');
  assert.equal(pickToken([]), null);
});
