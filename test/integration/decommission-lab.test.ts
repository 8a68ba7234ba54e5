// Issue 9 against the rehearsal lab, end to end through the real binary: the cutover's protection latch
// holds through the stability window (plain delete refused, autostart fault ignored), the noisy-logs fault
// shows in `cutover review`, the decommission is refused before the window (naming the earliest date),
// refused again on unacknowledged log findings, then runs with a recorded waiver: archives 0600, no *-msg
// left in `incus list`, verify still passes, and the report's "Cleanup complete" names who waived and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { containerDelete } from '../../src/actions/container-delete.ts';
import type { ActionContext } from '../../src/actions/types.ts';
import type { ResolvedStep } from '../../src/engine/types.ts';
import { openJournal } from '../../src/journal/index.ts';

const CUTOVER = 'runbooks/lab/posta-cutover.toml';
const DECOM = 'runbooks/lab/posta-decommission.toml';
const LEGACY = ['arne-msg', 'marcus-msg', 'tarald-msg'];
const REASON = 'verified the new multi-tenant daemon end-to-end; all per-identity data lives in posta';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('decommission in the lab: latch, review, gate, waiver, typed name, delete, verify, report', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-decom-state-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const cli = (args: string[]) => lab.cli([...args, '--state', state]);
  const names = async () => (await lab.runtime.list()).map((i) => i.name);

  const cut = await cli(['apply', CUTOVER, '--yes', '--allow-destructive']);
  assert.equal(cut.code, 0, `cutover apply failed:\n${cut.stdout}\n${cut.stderr}`);
  const journal = openJournal({ stateDir: state, readonly: true });
  const cutoverEnd = journal.runs().find((r) => r.runbookName === 'posta-multitenant-cutover-lab')!.endedAt!;
  journal.close();
  const earliest = new Date(cutoverEnd + 7 * 86_400_000).toISOString().slice(0, 10);

  await t.test('the latch: a plain incus delete of a protected container is refused', async () => {
    for (const name of LEGACY) {
      const c = (await lab.runtime.get(name))!;
      assert.equal(c.config['security.protection.delete'], 'true');
      assert.equal(c.config['boot.autostart'], 'false');
      await assert.rejects(lab.runtime.delete(name, { force: true }), /protected/);
    }
    assert.deepEqual((await names()).filter((n) => n.endsWith('-msg')).sort(), LEGACY);
  });

  await t.test('the latch: the autostart fault does not bring a latched container back', async () => {
    assert.equal((await lab.cli(['lab', 'fault', 'autostart', '--dir', lab.dir])).code, 0);
    await sleep(4500); // 3 s after a stop the fault restarts Incus: only boot.autostart=true would bring it back
    for (const name of LEGACY) assert.equal((await lab.runtime.get(name))!.status, 'Stopped', name);
  });

  await t.test('a wrong typed name deletes nothing (executor side, before any export)', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'cutover-decom-bak-'));
    t.after(() => rmSync(backupDir, { recursive: true, force: true }));
    const asked: string[] = [];
    const ctx = {
      runtime: lab.runtime,
      backupDir,
      resolve: async (s: string) => s,
      emit: () => {},
      now: () => Date.now(),
      confirm: async () => true,
      confirmTyped: async (_p: string, expected: string) => (asked.push(expected), 'arne-mgs' === expected),
    } as unknown as ActionContext;
    const step = { key: 'delete-legacy[arne-msg]', id: 'delete-legacy', index: 4, title: 'delete', action: 'container.delete', params: { container: 'arne-msg', force: true, archive: true }, destructive: true, irreversible: true, rollback: { kind: 'none', reason: '' }, verify: [] } as ResolvedStep;
    await assert.rejects(containerDelete.run(step, ctx), /not deleted: the deletion was not confirmed/);
    assert.deepEqual(asked, ['arne-msg']);
    assert.ok((await names()).includes('arne-msg'));
    assert.equal((await lab.runtime.get('arne-msg'))!.config['security.protection.delete'], 'true');
    assert.deepEqual(readdirSync(backupDir), [], 'no export was taken');
  });

  await t.test('noisy-logs: cutover review shows 1 restart, 1 panic and the per-identity errors', async () => {
    assert.equal((await lab.cli(['lab', 'fault', 'noisy-logs', '--dir', lab.dir])).code, 0);
    const restart = await lab.runtime.exec('posta', ['service', 'posta', 'restart']);
    assert.equal(restart.exitCode, 0, restart.stderr);
    const r = await cli(['review', DECOM, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    const s = doc.reviews[0].summary;
    assert.equal(doc.stability.cutoverEnd, cutoverEnd);
    assert.equal(s.restarts.length, 1, JSON.stringify(s.restarts));
    assert.equal(s.panics.length, 1);
    assert.match(s.panics[0].line, /panic: send on closed channel/);
    assert.deepEqual(s.perIdentity.map((g: { identity: string; count: number }) => [g.identity, g.count]), [['arne', 2]]);
    assert.ok(s.starts >= 2, 'the clean restart is a start, not an unexpected restart');
    const text = await cli(['review', DECOM]);
    assert.match(text.stdout, /1 unexpected restart, 1 panic, 2 error lines \(arne 2\)/);
    assert.match(text.stdout, new RegExp(`opens ${earliest}`));
  });

  await t.test('before the window: refused, naming the earliest date; nothing deleted', async () => {
    const r = await cli(['apply', DECOM, '--yes', '--allow-destructive']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`earliest date ${earliest}`));
    assert.deepEqual((await names()).filter((n) => n.endsWith('-msg')).sort(), LEGACY);
  });

  await t.test('with a waiver but unacknowledged log findings: refused at the review; nothing deleted', async () => {
    const r = await cli(['apply', DECOM, '--yes', '--allow-destructive', '--waive-window', '--reason', REASON]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /log review not acknowledged: 1 unexpected restart, 1 panic/);
    assert.match(r.stdout + r.stderr, /--acknowledge-logs/);
    assert.deepEqual((await names()).filter((n) => n.endsWith('-msg')).sort(), LEGACY);
  });

  await t.test('waiver + acknowledgement: archived, deleted, gone from incus list; verify still passes', async () => {
    const r = await cli(['apply', DECOM, '--yes', '--allow-destructive', '--waive-window', '--reason', REASON, '--acknowledge-logs']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((await names()).filter((n) => n.endsWith('-msg')), []);
    assert.ok((await names()).includes('posta'));
    const j = openJournal({ stateDir: state, readonly: true });
    const decom = j.runs().filter((x) => x.runbookName === 'lab-posta-decommission').pop()!;
    const deletes = [...j.stepStates(decom.id).values()].filter((st) => st.action === 'container.delete');
    j.close();
    assert.equal(decom.outcome, 'succeeded');
    assert.deepEqual(deletes.map((d) => [d.state, (d.changed as { container: string }).container]), LEGACY.map((n) => ['succeeded', n]));
    for (const d of deletes) {
      const c = d.changed as { archive: string; archiveSize: number; archiveSha256: string; forced: boolean; statusBefore: string };
      assert.equal(statSync(c.archive).mode & 0o777, 0o600, c.archive);
      assert.equal(statSync(c.archive).size, c.archiveSize);
      assert.match(c.archiveSha256, /^[0-9a-f]{64}$/);
      assert.equal(c.forced, true);
      assert.equal(c.statusBefore, 'Stopped');
    }
    const v = await cli(['verify', CUTOVER]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /legacy containers deleted by the decommission/);
  });

  await t.test('the report: Cleanup complete with who waived and why, exports, no live rollback target', async () => {
    const r = await cli(['report', DECOM]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /## Cleanup complete — \d{4}-\d{2}-\d{2}/);
    assert.match(r.stdout, new RegExp(`stability window was \\*\\*waived\\*\\* by \\S+.* ${REASON.replace(/[.;]/g, '.')}`));
    assert.match(r.stdout, /Log review of `posta`: 1 unexpected restart\(s\), 1 panic\(s\), 2 error line\(s\) \(arne 2\); acknowledged/);
    for (const name of LEGACY) assert.match(r.stdout, new RegExp(`export of \`${name}\`: \`[^\`]+\\.tar\\.gz\` \\([\\d.]+ \\w+, 0600, sha256`));
    assert.match(r.stdout, /There is no live rollback target any more/);
    assert.match(r.stdout, /legacy binary at commit `793e9ed`/);
    assert.ok(existsSync(join(state, 'journal.sqlite')));
  });
});
