// Shared by the apply / rollback / resume integration tests: the lab cutover runbook, what "every identity
// is served" means, the legacy data fingerprint, and the grep for token secrets.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { viaCaddy, type TestLab } from './lab.ts';
import { rootfsDir } from '../../src/lab/layout.ts';

export const LAB_RUNBOOK = 'runbooks/lab/posta-cutover.toml';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The legacy data an identity owns: keys.json bytes, and every inbox row (token last_seen_at moves with each device call). */
export function legacyData(lab: TestLab): Record<string, { keys: string; inbox: string }> {
  const out: Record<string, { keys: string; inbox: string }> = {};
  for (const i of lab.config.identities) {
    const root = rootfsDir(lab.dir, i.container);
    const db = new Database(join(root, 'var/lib/posta/inbox.db'), { readonly: true });
    try {
      const messages = db.prepare('SELECT * FROM messages ORDER BY id').all();
      const tokens = db.prepare('SELECT id, name, token, created_at FROM auth_tokens ORDER BY id').all();
      out[i.slug] = { keys: sha(readFileSync(join(root, 'var/lib/posta/keys.json'))), inbox: sha(JSON.stringify({ messages, tokens, v: db.pragma('user_version', { simple: true }) })) };
    } finally {
      db.close();
    }
  }
  return out;
}

/** Every identity answers through Caddy (actor doc with its name) and every device token of it still works. */
export async function assertAllServed(lab: TestLab, timeoutMs = 10_000): Promise<void> {
  await Promise.all(
    lab.config.identities.map(async (i) => {
      const actor = await viaCaddy(lab, i.host, '/', {}, timeoutMs);
      assert.equal(actor.status, 200, `${i.slug} actor through Caddy`);
      assert.equal(JSON.parse(actor.body).name, i.name);
      await Promise.all(
        i.tokens.map(async (tok) => {
          const authed = await viaCaddy(lab, i.host, '/api/v1/identity', { authorization: `Bearer ${tok.token}` }, timeoutMs);
          assert.equal(authed.status, 200, `${i.slug}/${tok.name} token works`);
        }),
      );
    }),
  );
}

export function journalText(stateDir: string): string {
  const f = join(stateDir, 'journal.sqlite');
  return readFileSync(f, 'latin1') + (existsSync(f + '-wal') ? readFileSync(f + '-wal', 'latin1') : '');
}

export function assertNoSecrets(lab: TestLab, texts: Record<string, string>): void {
  for (const i of lab.config.identities) for (const tok of i.tokens) for (const [where, text] of Object.entries(texts)) assert.ok(!text.includes(tok.token), `token ${tok.name} of ${i.slug} appears in ${where}`);
}
