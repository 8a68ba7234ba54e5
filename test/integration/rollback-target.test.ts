// The run that changed the world is the one rolled back: after a completed cutover, a later run that changed
// nothing (an apply of the baseline alone, refused at it) is marked so by `journal` and never shadows the cutover;
// `rollback --yes` undoes the cutover (Caddyfile byte-identical, legacy data equal, every identity served).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';
import { runCli } from '../helpers/cli.ts';
import { readJournal } from '../helpers/driver.ts';

/** The lab's CLI with room for a whole cutover on a busy machine (runCli's default is 60 s). */
const cli = (lab: { env: Record<string, string> }, args: string[]) => runCli(args, { env: lab.env, timeoutMs: 600_000 });

test('completed cutover, then a no-op later run: rollback --yes undoes the cutover, not the later run', { timeout: 600_000 }, async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile);
  const before = legacyData(lab);

  const cut = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(cut.code, 0, `${cut.stdout}\n${cut.stderr}`);
  assert.ok(!readFileSync(caddyfile).equals(original), 'the cutover repointed Caddy');

  // A second full apply is refused by the preflight (the legacy containers are stopped) and starts no run.
  const refused = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stderr, /preflight: \d+ blocker\(s\) stand/);
  assert.equal(readJournal(state, (j) => j.runs()).length, 1, 'a refused apply starts no run');
  // An apply of the baseline alone (no destructive step, so no preflight): refused at its baseline (the target
  // already serves), so this later run changed nothing.
  const again = await cli(lab, ['apply', LAB_RUNBOOK, '--yes', '--through', 'baseline', '--state', state]);
  assert.equal(again.code, 1, `${again.stdout}\n${again.stderr}`);
  assert.match(again.stdout, /refusing to record a baseline/);
  const runs = readJournal(state, (j) => j.runs());
  assert.equal(runs.length, 2);

  const listed = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const doc = JSON.parse(listed.stdout) as { runs: { id: number; changed: { key: string }[] }[] };
  assert.ok(doc.runs.find((r) => r.id === 1)!.changed.some((c) => c.key === 'repoint-caddy'), 'run #1 changed the proxy');
  assert.deepEqual(doc.runs.find((r) => r.id === 2)!.changed, [], 'run #2 changed nothing');
  const text = await cli(lab, ['journal', LAB_RUNBOOK, '--state', state]);
  assert.match(text.stdout, /#2 .*\n(.*\n)?\s+changed nothing \(never a rollback target\)/);

  const shown = await cli(lab, ['rollback', LAB_RUNBOOK, '--state', state]);
  assert.equal(shown.code, 2);
  assert.match(shown.stdout, /later run\(s\) #2 \(changed nothing\) passed over/);
  assert.match(shown.stdout, /rollback of run #1 /);

  const rb = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  assert.match(rb.stdout, /run #1 rolled back; the legacy path is proven/);
  // The three proofs, each printed: local probes at each legacy container's own address, public probes, live dials.
  assert.match(rb.stdout, /✓ \(a\) local probes at each legacy container: 15 local checks ok for 3 identities at 127\.0\.10\.11:8080, 127\.0\.10\.12:8080, 127\.0\.10\.13:8080/);
  assert.match(rb.stdout, /✓ \(b\) public probes through the proxy: 15 public checks ok for 3 identities/);
  assert.match(rb.stdout, /✓ \(c\) live proxy dials = the recorded original: arne\.posta\.no 127\.0\.10\.11:8080, marcus\.posta\.no 127\.0\.10\.12:8080, tarald\.posta\.no 127\.0\.10\.13:8080 = the recorded original/);
  const report = await cli(lab, ['report', LAB_RUNBOOK, '--run', '1', '--state', state]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /### Rollback: the legacy path\n\nProven after the rollback/);
  assert.match(report.stdout, /- ✓ \(c\) live proxy dials = the recorded original: arne\.posta\.no 127\.0\.10\.11:8080/);
  assert.ok(readFileSync(caddyfile).equals(original), 'Caddyfile byte-identical');
  await assertAllServed(lab);
  assert.deepEqual(legacyData(lab), before);
  assert.equal(readJournal(state, (j) => j.run(1)!.outcome), 'rolled-back');

  // --run N names a run explicitly; an unknown one is refused with the list.
  const unknown = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--run', '7', '--state', state]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no apply\/run run #7 \(runs: #1, #2/);
  const done = await cli(lab, ['rollback', LAB_RUNBOOK, '--yes', '--run', '1', '--state', state]);
  assert.equal(done.code, 0);
  assert.match(done.stdout, /run #1 was already rolled back/);
});
