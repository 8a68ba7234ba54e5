// `posta-server seed` and --root path mapping: what the lab runs to give each legacy container its data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readKeys } from '../../src/lab/posta/keys.ts';
import { runPosta, tempRoot } from '../helpers/posta-standin.ts';

const SEED = ['seed', '--keys', '/var/lib/posta/keys.json', '--db', '/var/lib/posta/inbox.db', '--name', 'Arne', '--tokens', 'tui-dev,phone', '--messages', '300'];

test('seed writes keys.json and a v2 inbox inside --root, 0600, and prints the public key and tokens', async () => {
  const root = tempRoot('posta-seed-');
  const r = await runPosta([...SEED, '--root', root]);
  assert.equal(r.code, 0, r.output);
  const printed = JSON.parse(r.output) as { publicKey: string; tokens: { name: string; token: string }[] };
  assert.deepEqual(printed.tokens.map((t) => t.name), ['tui-dev', 'phone']);
  for (const t of printed.tokens) assert.match(t.token, /^pt_[A-Za-z0-9_-]{24}$/);

  const keysFile = join(root, 'var/lib/posta/keys.json');
  const dbFile = join(root, 'var/lib/posta/inbox.db');
  assert.equal(statSync(keysFile).mode & 0o777, 0o600);
  assert.equal(statSync(dbFile).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'var/lib/posta')).mode & 0o777, 0o700);
  assert.equal(existsSync(`${dbFile}-wal`), false, 'no WAL left behind: the file is complete on its own');

  const keys = readKeys(keysFile); // checks the pair matches
  assert.equal(keys.name, 'Arne');
  assert.equal(keys.publicKey, printed.publicKey);
  assert.equal(Buffer.from(keys.publicKey, 'base64').length, 32);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(keysFile, 'utf8'))).sort(), ['name', 'privateKey', 'publicKey']);

  const db = new Database(dbFile, { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(db.prepare('SELECT name, token, last_seen_at FROM auth_tokens ORDER BY id').all(), printed.tokens.map((t) => ({ ...t, last_seen_at: null })));
  assert.equal((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, 300);
  db.close();
});

test('seed refuses to overwrite an identity unless --force, and refuses paths escaping --root', async () => {
  const root = tempRoot('posta-seed-');
  const first = await runPosta([...SEED, '--root', root]);
  assert.equal(first.code, 0, first.output);
  const again = await runPosta([...SEED, '--root', root]);
  assert.equal(again.code, 1);
  assert.match(again.output, /keys\.json already exists; refusing to overwrite it \(use --force\)/);
  assert.deepEqual(JSON.parse(first.output).publicKey, readKeys(join(root, 'var/lib/posta/keys.json')).publicKey, 'untouched');

  const forced = await runPosta([...SEED, '--root', root, '--force']);
  assert.equal(forced.code, 0, forced.output);
  assert.notEqual(JSON.parse(forced.output).publicKey, JSON.parse(first.output).publicKey);

  const escaping = await runPosta(['seed', '--keys', '../../keys.json', '--db', '/var/lib/posta/x.db', '--name', 'X', '--root', root]);
  assert.equal(escaping.code, 2);
  assert.match(escaping.output, /path \.\.\/\.\.\/keys\.json escapes --root/);

  const bad = await runPosta(['seed', '--keys', 'k.json', '--db', 'i.db', '--name', 'X', '--messages', 'lots', '--root', root]);
  assert.equal(bad.code, 2);
  assert.match(bad.output, /--messages must be a whole number, got "lots"/);
});
