// New writes at rollback (issue 17): a message delivered to the new daemon after the cutover is either carried
// back into the legacy container (--copy-back) or its loss is chosen explicitly (--discard-new-writes, named with
// the counts in the journal and the report); without one of the two the rollback refuses before changing
// anything, naming the identity and the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startLab, viaCaddy, type TestLab } from '../helpers/lab.ts';
import { LAB_RUNBOOK } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { createHttp } from '../../src/adapters/http.ts';
import { rootfsDir } from '../../src/lab/layout.ts';

const cli = (lab: TestLab, args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });

/** Delivers one message to an identity through Caddy (the public path), with one of its device tokens. */
async function deliver(lab: TestLab, slug: string, body: string): Promise<{ id: number; messages: number }> {
  const i = lab.config.identities.find((x) => x.slug === slug)!;
  const http = createHttp({ defaultTimeoutMs: 10_000 });
  try {
    const res = await http.request({ url: `http://${lab.config.caddy.ip}:${lab.config.caddy.httpPort}/api/v1/messages`, method: 'POST', host: i.host, headers: { authorization: `Bearer ${i.tokens[0]!.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sender: 'test@example.invalid', body }) });
    assert.equal(res.status, 201, res.body);
    return JSON.parse(res.body) as { id: number; messages: number };
  } finally {
    await http.close();
  }
}

/** The inbox count an identity's daemon reports through Caddy (whichever daemon serves it). */
async function servedCount(lab: TestLab, slug: string): Promise<number> {
  const i = lab.config.identities.find((x) => x.slug === slug)!;
  const r = await viaCaddy(lab, i.host, '/api/v1/identity', { authorization: `Bearer ${i.tokens[0]!.token}` });
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { messages: number }).messages;
}

function legacyMessages(lab: TestLab, slug: string): { n: number; bodies: string[]; version: number } {
  const i = lab.config.identities.find((x) => x.slug === slug)!;
  const db = new Database(join(rootfsDir(lab.dir, i.container), 'var/lib/posta/inbox.db'), { readonly: true });
  try {
    const bodies = (db.prepare('SELECT body FROM messages ORDER BY id DESC LIMIT 3').all() as { body: string }[]).map((r) => r.body);
    return { n: (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, bodies, version: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

async function cutoverWithOneWrite(lab: TestLab, state: string) {
  const cut = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(cut.code, 0, `${cut.stdout}\n${cut.stderr}`);
  const before = await servedCount(lab, 'arne');
  const got = await deliver(lab, 'arne', 'delivered to posta after the cutover');
  assert.equal(got.messages, before + 1);
  return { before, after: got.messages };
}

test('a write the new daemon took: rollback refuses naming identity and counts; --copy-back carries it back and the legacy daemon serves it', { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const legacyBefore = legacyMessages(lab, 'arne');
  const { before, after } = await cutoverWithOneWrite(lab, state);
  assert.equal(legacyBefore.n, before, 'the copy carried every legacy message');
  const cutFile = readFileSync(caddyfile);

  const refused = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stdout, new RegExp(`arne \\(posta:/var/lib/posta/arne/inbox\\.db\\): messages ${before} → ${after} rows \\(\\+1, max rowid ${before} → ${after}\\)`));
  assert.doesNotMatch(refused.stdout, /marcus \(|tarald \(/, 'only the identity that took a write is named');
  assert.match(refused.stdout, /--copy-back/);
  assert.match(refused.stdout, /--discard-new-writes/);
  assert.match(refused.stdout, /nothing was changed/);
  assert.ok(readFileSync(caddyfile).equals(cutFile), 'the refused rollback changed nothing: Caddy still points at posta');
  assert.equal(await servedCount(lab, 'arne'), after, 'posta still serves arne');
  const scratch = join(state, 'work', 'run-1');
  assert.ok(!existsSync(scratch) || !readdirSync(scratch).some((n) => n.startsWith('new-writes-')), 'the scratch copies of the databases are removed');

  const both = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--copy-back', '--discard-new-writes', '--state', state]);
  assert.equal(both.code, 2, 'the two choices exclude each other');

  const back = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--copy-back', '--state', state]);
  assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
  assert.match(back.stdout, /copy-back of arne: posta:\/var\/lib\/posta\/arne\/inbox\.db → arne-msg:\/var\/lib\/posta\/inbox\.db: \d+ B sha256 [0-9a-f]{12}… ok, integrity ok, auth_tokens 2, messages 301 row\(s\); legacy file backed up at (\S+)/);
  assert.match(back.stdout, /run #1 rolled back; the legacy path is proven/);
  const legacy = legacyMessages(lab, 'arne');
  assert.equal(legacy.n, after, 'the legacy inbox holds the message');
  assert.equal(legacy.bodies[0], 'delivered to posta after the cutover');
  assert.equal(legacy.version, 2, 'in the legacy schema (the single-tenant daemon reads v2)');
  assert.equal(await servedCount(lab, 'arne'), after, 'the legacy daemon serves the message after the rollback');
  const backup = /legacy file backed up at (\S+?);?\s/.exec(back.stdout)![1]!;
  assert.equal(readFileSync(backup).length > 0, true);
  assert.equal((await import('node:fs')).statSync(backup).mode & 0o777, 0o600, 'the backup of the legacy file is 0600');

  const report = await cli(lab, ['report', LAB_RUNBOOK, '--run', '1', '--state', state]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /New writes in the target since the copy \([^)]*\): \*\*copied back\*\*/);
  assert.match(report.stdout, new RegExp(`- arne: messages ${before} → ${after} rows`));
});

test('--discard-new-writes rolls back and names the discarded count in the journal and the report', { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const { before, after } = await cutoverWithOneWrite(lab, state);
  const rb = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--discard-new-writes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  assert.match(rb.stdout, new RegExp(`DISCARDED.*\\n.*arne \\(posta:/var/lib/posta/arne/inbox\\.db\\): messages ${before} → ${after} rows`));
  assert.equal(await servedCount(lab, 'arne'), before, 'the legacy daemon serves its old inbox: the write is gone, as chosen');
  const report = await cli(lab, ['report', LAB_RUNBOOK, '--run', '1', '--state', state]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /New writes in the target since the copy \([^)]*\): \*\*discarded\*\*/);
  assert.match(report.stdout, new RegExp(`- arne: messages ${before} → ${after} rows \\(\\+1, max rowid ${before} → ${after}\\) — DISCARDED by the operator`));
  const journal = await cli(lab, ['journal', LAB_RUNBOOK, '--run', '1', '--state', state]);
  assert.equal(journal.code, 0, journal.stderr);
  assert.match(journal.stdout, new RegExp(`new writes in the target since the copy: DISCARDED by the operator \\(--discard-new-writes\\)\\n\\s+arne: messages ${before} → ${after} rows`));
  assert.match(journal.stdout, /legacy path after the rollback:\n\s+✓ \(a\) local probes/);
});
