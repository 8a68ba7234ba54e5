// The scoped token read a panel refresh uses (checks/tokens.ts queryTokenDb): the baseline's tokens found
// by masked prefix + hash, the most recently seen rows, and the survival verdict on that subset. Real
// SQLite files in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInboxV2 } from '../../src/lab/posta/inbox-db.ts';
import { hashToken, maskToken, type IdentityBaseline } from '../../checks/baseline.ts';
import { evaluateTokens, queryTokenDb } from '../../checks/tokens.ts';

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
  assert.match(items[0]!.why ?? '', /arne\/phone \(pt_abc…\): token missing from posta:/);
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
