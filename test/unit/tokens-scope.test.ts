// The scoped token read a panel refresh uses (checks/tokens.ts queryTokenDb): the baseline's tokens found
// by masked prefix + hash, the most recently seen and newest rows (cached between refreshes), and the
// survival verdict on that subset. Real SQLite files in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInboxV2 } from '../../src/lab/posta/inbox-db.ts';
import { hashToken, maskToken, type IdentityBaseline } from '../../checks/baseline.ts';
import { evaluateTokens, queryTokenDb } from '../../checks/tokens.ts';
import { RecentTokenCache } from '../../checks/token-recent.ts';
import Database from 'better-sqlite3';

function dbWith(t: { after(fn: () => void): void }, rows: { name: string; token: string; lastSeenAt: string | null }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-tokens-scope-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'inbox.db');
  const db = createInboxV2(path);
  const insert = db.prepare('INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, ?)');
  for (const r of rows) insert.run(r.name, r.token, '2025-01-01T00:00:00.000Z', r.lastSeenAt);
  db.close();
  return path;
}

const seen = (i: number) => new Date(Date.UTC(2025, 5, 1, 0, 0, i)).toISOString();
const baselineOf = (...tokens: { name: string; token: string }[]): IdentityBaseline => ({
  values: {},
  schemaVersion: 2,
  tokens: tokens.map((x) => ({ device: x.name, tokenHash: hashToken(x.token), tokenMasked: maskToken(x.token), createdAt: null, lastSeenAt: null })),
});

test('scoped read: the baseline tokens (even when never seen) plus the N most recently seen, sorted by device', (t) => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ name: `d${String(i).padStart(2, '0')}`, token: `pt_tok${String(i).padStart(3, '0')}secretsecret`, lastSeenAt: i === 7 ? null : seen(i) }));
  const path = dbWith(t, rows);
  const read = queryTokenDb(path, undefined, { baseline: baselineOf(rows[7]!, rows[3]!), recent: 2 });
  assert.deepEqual(read.rows.map((r) => r.device), ['d03', 'd07', 'd48', 'd49']);
  assert.equal(read.schemaVersion, 2);
});

test('scoped read: a token sharing the masked prefix but not the hash is not taken for the baseline token', (t) => {
  const kept = { name: 'phone', token: 'pt_abcKEPTsecretvalue', lastSeenAt: seen(1) };
  const twin = { name: 'imposter', token: 'pt_abcOTHERsecretval', lastSeenAt: seen(2) };
  const path = dbWith(t, [twin]);
  const read = queryTokenDb(path, undefined, { baseline: baselineOf(kept), recent: 0 });
  assert.deepEqual(read.rows, []);
  const items = evaluateTokens({ identity: 'arne', phase: 'after', read: { container: 'posta', path, ...read }, baseline: baselineOf(kept), baselineRecordedAt: seen(0), now: Date.parse(seen(3)) });
  assert.equal(items.length, 1);
  assert.equal(items[0]!.survived, false);
  assert.match(items[0]!.why ?? '', /arne\/phone \(pt_abc…\): expected present \(baseline\), got missing from posta:/);
});

test('scoped read: a baseline token masked to nothing cannot be searched, so every row is read', (t) => {
  const rows = [
    { name: 'a', token: 'short', lastSeenAt: seen(1) },
    { name: 'b', token: 'pt_longenoughtoken', lastSeenAt: seen(2) },
    { name: 'c', token: 'pt_anotherlongtoken', lastSeenAt: null },
  ];
  const path = dbWith(t, rows);
  assert.equal(maskToken('short'), '…');
  const read = queryTokenDb(path, undefined, { baseline: baselineOf(rows[0]!), recent: 1 });
  assert.deepEqual(read.rows.map((r) => r.device), ['a', 'b', 'c']);
});

test('without a scope every row is read, by device name', (t) => {
  const path = dbWith(t, [
    { name: 'z', token: 'pt_zzzzzzzzzzzz', lastSeenAt: null },
    { name: 'm', token: 'pt_mmmmmmmmmmmm', lastSeenAt: seen(1) },
  ]);
  assert.deepEqual(queryTokenDb(path).rows.map((r) => r.device), ['m', 'z']);
});

// Refreshes that share a RecentTokenCache (checks/token-recent.ts), the table changing between them as posta's does.
function write(path: string, sql: string, ...args: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...args);
  db.close();
}
const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `d${String(i).padStart(3, '0')}`, token: `pt_tok${String(i).padStart(4, '0')}secretsecret`, lastSeenAt: seen(i) }));
const T0 = Date.parse('2025-06-02T00:00:00Z');

test('a token created after the baseline shows even when its device was never seen (newest rows)', (t) => {
  const rows = many(40);
  const path = dbWith(t, [...rows, { name: 'new-laptop', token: 'pt_newLAPTOPsecretsecret', lastSeenAt: null }]);
  const baseline = baselineOf(rows[0]!);
  const read = queryTokenDb(path, undefined, { baseline, recent: 2 });
  const items = evaluateTokens({ identity: 'arne', phase: 'after', read: { container: 'posta', path, ...read }, baseline, baselineRecordedAt: seen(0), now: T0 });
  assert.deepEqual(items.map((i) => i.device), ['d000', 'd038', 'd039', 'new-laptop']);
  assert.match(items.find((i) => i.device === 'new-laptop')!.actual, /never seen \(new since the baseline\)/);
});

test('cached refreshes: new tokens since the last refresh via rowid, tracked rows re-read, no rescan', (t) => {
  const rows = many(60);
  const path = dbWith(t, rows);
  const cache = new RecentTokenCache();
  const scope = () => ({ baseline: baselineOf(rows[5]!), recent: 3, cache });
  assert.deepEqual(queryTokenDb(path, undefined, scope()).rows.map((r) => r.device), ['d005', 'd057', 'd058', 'd059']);
  assert.equal(cache.fullScans, 1);
  write(path, 'INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, NULL)', 'tablet', 'pt_tabletSECRETsecret', '2025-06-02T00:00:01Z');
  write(path, 'UPDATE auth_tokens SET last_seen_at = ? WHERE name = ?', '2025-06-02T00:00:02.000Z', 'd058');
  const second = queryTokenDb(path, undefined, scope()).rows;
  assert.equal(cache.fullScans, 1, 'the second refresh used the cache');
  assert.deepEqual(second.map((r) => r.device), ['d005', 'd057', 'd058', 'd059', 'tablet']);
  assert.equal(second.find((r) => r.device === 'd058')!.lastSeenAt, '2025-06-02T00:00:02.000Z');
});

test('cached refresh: a baseline token deleted since the last refresh fails survival naming it', (t) => {
  const rows = many(30);
  const path = dbWith(t, rows);
  const cache = new RecentTokenCache();
  const baseline = baselineOf(rows[2]!, rows[29]!);
  const evalAt = (now: number) => {
    const read = queryTokenDb(path, undefined, { baseline, recent: 2, cache });
    return evaluateTokens({ identity: 'arne', phase: 'after', read: { container: 'posta', path, ...read }, baseline, baselineRecordedAt: seen(0), now });
  };
  assert.ok(evalAt(T0).every((i) => i.survived !== false));
  write(path, 'DELETE FROM auth_tokens WHERE name = ?', 'd002');
  const red = evalAt(T0 + 2000).filter((i) => i.ok === false);
  assert.equal(red.length, 1);
  assert.equal(red[0]!.survived, false);
  assert.match(red[0]!.why!, /^arne\/d002 \(pt_tok…\): expected present \(baseline\), got missing from posta:/);
});

test('the cache rescans when a row it tracked was replaced, and sweeps the table slice by slice for tokens used again', (t) => {
  const rows = many(50);
  const path = dbWith(t, rows);
  const cache = new RecentTokenCache(10);
  const scope = { baseline: null, recent: 2, cache };
  queryTokenDb(path, undefined, scope);
  // The highest row deleted and a new token inserted: SQLite hands out the same rowid again.
  write(path, 'DELETE FROM auth_tokens WHERE name = ?', 'd049');
  write(path, 'INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, NULL)', 'reused', 'pt_reusedROWIDsecret', '2025-06-02T00:00:01Z');
  assert.deepEqual(queryTokenDb(path, undefined, scope).rows.map((r) => r.device), ['d047', 'd048', 'reused']);
  assert.equal(cache.fullScans, 2);
  // d010 (rowid 11) used again: neither baseline nor tracked; the sweep reads rowids [0, 10) then [10, 20).
  write(path, 'UPDATE auth_tokens SET last_seen_at = ? WHERE name = ?', '2025-06-02T00:00:03.000Z', 'd010');
  assert.ok(!queryTokenDb(path, undefined, scope).rows.some((r) => r.device === 'd010'));
  const swept = queryTokenDb(path, undefined, scope).rows;
  assert.equal(swept.find((r) => r.device === 'd010')?.lastSeenAt, '2025-06-02T00:00:03.000Z');
  assert.equal(cache.fullScans, 2, 'no full scan for it');
});
