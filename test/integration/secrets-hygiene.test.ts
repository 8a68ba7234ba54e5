// Secrets hygiene (issue 17): no plaintext key or full token remains under the state dir's work area after a
// run ends (walked after the cutover and after its rollback); the backups are the only copies kept, `journal`
// shows their retention, and `journal --prune` removes them only once the run can no longer be rolled back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { LAB_RUNBOOK } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { readJournal } from '../helpers/driver.ts';
import { rootfsDir } from '../../src/lab/layout.ts';

const cli = (lab: { env: Record<string, string> }, args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Every private key and device token of the lab's identities. */
function secrets(lab: TestLab): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const i of lab.config.identities) {
    const keys = JSON.parse(readFileSync(join(rootfsDir(lab.dir, i.container), 'var/lib/posta/keys.json'), 'utf8')) as { privateKey: string };
    out.push({ name: `${i.slug} private key`, value: keys.privateKey });
    for (const t of i.tokens) out.push({ name: `${i.slug}/${t.name} token`, value: t.token });
  }
  return out;
}

/** The work area holds no file at all, and nothing outside the backups holds a private key or a full token. */
function assertNoSecretsLeft(lab: TestLab, state: string, when: string) {
  const work = walk(join(state, 'work'));
  assert.deepEqual(work.map((f) => relative(state, f)), [], `${when}: no file left under STATE/work`);
  const s = secrets(lab);
  for (const f of walk(state)) {
    if (relative(state, f).startsWith('backups')) continue;
    const text = readFileSync(f).toString('latin1');
    for (const x of s) assert.ok(!text.includes(x.value), `${when}: ${x.name} found in ${relative(state, f)}`);
  }
}

type Backups = { runId: number; files: { path: string; bytes: number | null }[]; bytes: number; retention: string; why: string };

async function backupsOf(lab: TestLab, state: string, runId: number): Promise<Backups> {
  const r = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { runs: { id: number; backups: Backups }[] }).runs.find((x) => x.id === runId)!.backups;
}

test('no plaintext key or full token under STATE/work after the cutover and after its rollback; backups kept while rollback-able, pruned after', { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');

  const cut = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(cut.code, 0, `${cut.stdout}\n${cut.stderr}`);
  assertNoSecretsLeft(lab, state, 'after the cutover');

  // The backups (legacy archives, pre-change copies) are kept while the cutover can be rolled back.
  const kept = await backupsOf(lab, state, 1);
  assert.equal(kept.retention, 'kept');
  assert.match(kept.why, /can still be rolled back \(cutover rollback --run 1\)/);
  assert.ok(kept.files.length >= 6, `the three legacy backups (archive + manifest each): ${JSON.stringify(kept.files)}`);
  assert.ok(kept.files.every((f) => f.bytes !== null && f.path.startsWith(join(state, 'backups'))));
  const text = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state]);
  assert.match(text.stdout, /backups: \d+ file\(s\), .*, kept: can still be rolled back/);
  const refused = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--prune', '--yes']);
  assert.equal(refused.code, 0, refused.stderr);
  assert.match(refused.stdout, /nothing to prune/);
  assert.match(refused.stdout, /#1 {2}kept \d+ backup file\(s\)/);
  for (const f of kept.files) assert.ok(existsSync(f.path), `${f.path} still there`);

  const rb = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  assertNoSecretsLeft(lab, state, 'after the rollback');

  // Rolled back: prunable, but not younger than --older-than, and only listed without --yes.
  assert.equal((await backupsOf(lab, state, 1)).retention, 'prunable');
  const young = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--prune', '--older-than', '1d', '--yes']);
  assert.equal(young.code, 0, young.stderr);
  assert.match(young.stdout, /nothing to prune/);
  const dry = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--prune']);
  assert.match(dry.stdout, /#1 {2}would remove \d+ backup file\(s\)/);
  for (const f of kept.files) assert.ok(existsSync(f.path), `${f.path} still there after the listing`);
  const pruned = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--prune', '--yes']);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, /#1 {2}removed \d+ backup file\(s\), .* \(rolled back\)/);
  for (const f of kept.files) assert.ok(!existsSync(f.path), `${f.path} removed`);
  const note = readJournal(state, (j) => j.events(1).find((e) => e.kind === 'note' && e.state === 'pruned'));
  assert.ok(note, 'the prune is journaled');
  assert.deepEqual((note.detail as { files: string[] }).files, kept.files.map((f) => f.path));
  assert.equal((await backupsOf(lab, state, 1)).why, 'pruned');
  const after = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state]);
  assert.match(after.stdout, /backups: pruned/);
});
