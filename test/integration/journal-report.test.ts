// The report from a realistic journal (written the way apply writes it): golden file, the CLI path
// (`cutover report`, `cutover journal`), and no token secret anywhere in what the product writes or prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../helpers/cli.ts';
import { writePostaJournal, TOKENS } from '../fixtures/report/posta-journal.ts';
import { openJournal, JOURNAL_FILE } from '../../src/journal/index.ts';
import { loadReportData } from '../../src/report/data.ts';
import { CATALOG } from '../../src/actions/index.ts';
import { renderReport } from '../../src/report/render.ts';

const GOLDEN = join(REPO, 'test/fixtures/report/posta-cutover.md');
const RUNBOOK = 'runbooks/posta-cutover.toml';

function fixture(t: { after: (fn: () => void) => void }, opts: { decommission?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'cutover-report-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return { root, ...writePostaJournal(join(root, 'state'), opts) };
}

/** The clock is fixed, so only the runbook's sha256 (none does today) and the operator's host vary. */
function normalise(md: string): string {
  return md.replace(/sha256 `[0-9a-f]{12}`\)/, 'sha256 `<runbook>`)').replaceAll(`ingrid@${hostname()} `, 'ingrid@<host> ');
}

test('report of the posta cutover matches the golden file (UPDATE_GOLDEN=1 rewrites it)', (t) => {
  const { stateDir } = fixture(t, { decommission: true });
  const j = openJournal({ stateDir, readonly: true });
  t.after(() => j.close());
  const md = normalise(renderReport(loadReportData(j, CATALOG)));
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, md);
  assert.equal(md, readFileSync(GOLDEN, 'utf8'));
  // What the acceptance asks of the report, stated on its own so a golden refresh cannot hide it.
  for (const id of ['arne', 'marcus', 'tarald']) for (const check of ['actor', '401', 'setup', '410']) assert.match(md, new RegExp(`^\\| ${id} \\| ${check} \\|.*\\| ✓ \\|$`, 'm'));
  assert.match(md, /Backup at `\/etc\/caddy\/Caddyfile\.bak\.posta-multitenant-cutover-20260510-004551`/);
  assert.match(md, /Outage window \(measured.*\*\*31 s\*\*/);
  assert.match(md, /#### Rollback procedure[\s\S]*cp -p \/etc\/caddy\/Caddyfile\.bak\.[\s\S]*incus exec arne-msg -- service posta start/);
  assert.match(md, /safe to run from \*\*2026-05-17\*\*/);
  assert.match(md, /## Cleanup complete — 2026-05-10[\s\S]*\*\*waived\*\* by ingrid/);
});

test('cutover report --out writes the same report atomically; journal lists runs and steps', async (t) => {
  const { root, stateDir } = fixture(t, { decommission: true });
  const out = join(root, 'report.md');
  const r = await runCli(['report', RUNBOOK, '--state', stateDir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /wrote .*report\.md/);
  assert.equal(normalise(readFileSync(out, 'utf8')), readFileSync(GOLDEN, 'utf8'));
  assert.equal(statSync(out).mode & 0o777, 0o644);

  const list = await runCli(['journal', RUNBOOK, '--state', stateDir, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const doc = JSON.parse(list.stdout) as { runs: { id: number; mode: string; outcome: string; steps: Record<string, number> }[]; lease: unknown };
  assert.deepEqual(doc.runs.map((x) => [x.id, x.mode, x.outcome]), [[1, 'apply', 'succeeded'], [2, 'decommission', 'succeeded']]);
  assert.equal(doc.runs[0]!.steps.succeeded, 29);
  assert.equal(doc.lease, null);

  const steps = await runCli(['journal', RUNBOOK, '--state', stateDir, '--run', '1']);
  assert.equal(steps.code, 0, steps.stderr);
  assert.match(steps.stdout, /^✓ smoke-auth +succeeded +00:\d\d:\d\d +800 ms +2 attempts$/m);
  assert.match(steps.stdout, /^✓ repoint-caddy .* backup \/etc\/caddy\/Caddyfile\.bak\./m);
});

test('operator errors: no journal, unknown run, bad run id (exit 2, no stack trace)', async (t) => {
  const { root, stateDir } = fixture(t);
  const none = await runCli(['report', RUNBOOK, '--state', join(root, 'empty')]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no journal at .*empty\/journal\.sqlite/);
  const missing = await runCli(['journal', RUNBOOK, '--state', stateDir, '--run', '42']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no run 42 .*\(runs: 1\)/);
  const bad = await runCli(['report', RUNBOOK, '--state', stateDir, '--run', 'latest']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--run must be a run number/);
  for (const r of [none, missing, bad]) assert.doesNotMatch(r.stderr, /at .*\.(ts|mjs):\d+/);
});

test('no token secret in the journal files, the report, or journal output', async (t) => {
  const { root, stateDir } = fixture(t, { decommission: true });
  const outputs: string[] = [];
  for (const args of [['report', RUNBOOK], ['journal', RUNBOOK], ['journal', RUNBOOK, '--json'], ['journal', RUNBOOK, '--run', '1'], ['journal', RUNBOOK, '--run', '1', '--json']]) {
    const r = await runCli([...args, '--state', stateDir]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    outputs.push(r.stdout, r.stderr);
  }
  const file = join(stateDir, JOURNAL_FILE);
  for (const side of ['', '-wal', '-shm']) if (existsSync(file + side)) outputs.push(readFileSync(file + side).toString('latin1'));
  const all = outputs.join('\n');
  assert.match(all, /pat_arn…/, 'masked token shown');
  assert.match(all, /Bearer \*\*\*/, 'bearer scrubbed in the recorded output');
  for (const [id, secret] of Object.entries(TOKENS)) {
    assert.ok(!all.includes(secret), `${id}'s token secret leaked`);
    assert.ok(!all.includes(secret.slice(8)), `${id}'s token tail leaked`);
  }
  void root;
});
