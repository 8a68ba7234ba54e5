// Seeding: one identity's data as single-tenant posta would have it after months of use —
// keys.json (Ed25519, mode 0600) and inbox.db at schema v2 with device tokens and inbox rows.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PostaError } from './errors.ts';
import { createInboxV2 } from './inbox-db.ts';
import { generateKeys } from './keys.ts';
import { resolveInRoot } from './paths.ts';

export interface SeedOptions {
  /** keys.json path (inside `root` when given). */
  keys: string;
  /** inbox.db path (inside `root` when given). */
  db: string;
  /** Actor display name, stored in keys.json. */
  name: string;
  /** Device token names, e.g. ["tui-dev", "phone"]; each gets a random `pt_…` secret. */
  tokens: string[];
  /** Inbox rows to create (default 300). */
  messages?: number;
  root?: string;
  /** Replace existing keys/db instead of refusing. */
  force?: boolean;
}

export interface SeededIdentity {
  publicKey: string;
  tokens: { name: string; token: string }[];
}

const SENDERS = ['ola@posta.no', 'kari@posta.no', 'nils@posta.no', 'ingrid@posta.no'];

export function seedIdentity(opts: SeedOptions): SeededIdentity {
  const keysPath = resolveInRoot(opts.root, opts.keys);
  const dbPath = resolveInRoot(opts.root, opts.db);
  for (const path of [keysPath, dbPath]) {
    if (existsSync(path) && !opts.force) throw new PostaError(`${path} already exists; refusing to overwrite it (use --force)`, 1);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  const keys = generateKeys(opts.name);
  writeAtomic(keysPath, JSON.stringify(keys, null, 2) + '\n');

  const tokens = opts.tokens.map((name) => ({ name, token: `pt_${randomBytes(18).toString('base64url')}` }));
  const tmpDb = `${dbPath}.seed-${process.pid}`;
  const db = createInboxV2(tmpDb);
  try {
    const now = Date.now();
    const insertToken = db.prepare('INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, NULL)');
    const insertMessage = db.prepare('INSERT INTO messages (sender, body, received_at, read) VALUES (?, ?, ?, ?)');
    const count = opts.messages ?? 300;
    db.transaction(() => {
      for (const t of tokens) insertToken.run(t.name, t.token, new Date(now - 90 * 86_400_000).toISOString());
      for (let i = 0; i < count; i++) {
        const at = new Date(now - (count - i) * 3_600_000).toISOString();
        insertMessage.run(SENDERS[i % SENDERS.length], `message ${i + 1} for ${opts.name}`, at, i < count - 5 ? 1 : 0);
      }
    })();
  } finally {
    db.close();
  }
  chmodSync(tmpDb, 0o600);
  for (const suffix of ['-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  renameSync(tmpDb, dbPath);
  return { publicKey: keys.publicKey, tokens };
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
