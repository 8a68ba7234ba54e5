// cutover rollback RUNBOOK [--yes] [--run N]: undoes what the newest run that changed the world actually did
// (newest step first), then smokes the legacy path through the proxy.
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { describeRollback } from '../runbook/describe.ts';
import { drivingOptions, openForDriving, progressHooks } from './drive.ts';
import { parseRunId } from './journal.ts';
import { runChanges } from '../journal/changes.ts';
import { incompleteReasons, proofLines } from '../engine/rollback.ts';

export const help = `Usage: cutover rollback RUNBOOK [--yes] [--run N] [--state DIR] [--take-over] [--accept-changed-runbook] [--json]

Computes the rollback plan from what the newest apply/run of RUNBOOK that changed the world actually did
(the journal; runs that changed nothing, such as a refused apply or a cockpit opened and quit, are passed
over: \`cutover journal\` marks them) and runs it, newest step first: the Caddyfile restored byte-identical from the cutover's backup (validate, reload,
confirmed through the admin API), autostart and delete protection back to what they were, the new daemon
stopped, \`service posta start\` in the legacy containers. Then three proofs that the legacy path serves,
each printed and journaled: (a) local probes at each legacy container's own address, (b) public probes
through the proxy, (c) the live proxy config's dials for each site equal the recorded original (the
repoint's journaled record / its Caddyfile backup). If any fails the rollback is INCOMPLETE (exit 1),
naming the proof and the identity. The new container and its data are left in place for diagnosis.
Works after a partial or failed cutover, at any step. Without --yes it only shows the plan.

Options:
  --yes                     run the plan (otherwise: print it and exit 2)
  --run N                   roll back run N (see cutover journal) instead of the newest that changed something
  --state DIR               state directory holding the journal (default as for apply)
  --take-over               take over the lease of a driver that died
  --accept-changed-runbook  roll back although the runbook changed since the run started
  --json                    one JSON document on stdout {ok, runId, entries, smoke, proofs}; progress on stderr
  --help                    this text

Exit codes: 0 rolled back and all three proofs hold, 1 INCOMPLETE (an undo or a proof failed), 2 bad
input or refused (no --yes, no run to roll back, another driver).
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'rollback',
    argv,
    { yes: { type: 'boolean' }, run: { type: 'string' }, state: { type: 'string' }, 'take-over': { type: 'boolean' }, 'accept-changed-runbook': { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
    { positionals: [1, 1] },
  );
  const file = positionals[0]!;
  const human = values.json ? io.stderr : io.stdout;
  const runId = values.run === undefined ? undefined : parseRunId(values.run);
  const run = await openForDriving({ ...drivingOptions(file, io.env, values), attach: 'latest', ...(runId !== undefined ? { runId } : {}) });
  try {
    const rec = run.record();
    if (rec.outcome === 'rolled-back') {
      human.write(`run #${run.runId} was already rolled back; nothing to do\n`);
      if (values.json) io.stdout.write(JSON.stringify({ ok: true, runId: run.runId, alreadyRolledBack: true, entries: [], smoke: null, proofs: [] }, null, 2) + '\n');
      return 'ok';
    }
    const plan = run.rollbackPlan();
    const passed = run.journal.runs().filter((x) => x.id > run.runId && (x.mode === 'apply' || x.mode === 'run'));
    if (passed.length) human.write(`later run(s) ${passed.map((x) => `#${x.id}${runChanges(run.journal, x.id).length ? '' : ' (changed nothing)'}`).join(', ')} passed over\n`);
    human.write(`rollback of run #${run.runId} (${rec.mode}, ${rec.outcome ?? 'unfinished'}) of ${run.runbook.runbook.name}: ${plan.entries.length} step(s), newest first\n`);
    for (const e of plan.entries) human.write(`  ${e.step.index}. ${e.step.key}${e.partial ? ' (failed: may be partial)' : ''}: ${describeRollback(e.step, run.runbook)}\n`);
    if (!values.yes) throw new CliError(`rollback: shown above; run it with cutover rollback ${file} --yes`, 'usage');
    const outcome = await run.rollback(progressHooks(run, human, { verbose: Boolean(values.verbose), yes: true }));
    for (const e of outcome.entries.filter((x) => x.result === 'kept')) human.write(`  · ${e.key}: ${e.summary}\n`);
    human.write(['legacy path after the rollback:', ...proofLines(outcome.proofs).map((l) => `  ${l}`), ''].join('\n'));
    human.write(
      outcome.ok
        ? `↺ run #${run.runId} rolled back; the legacy path is proven: local probes, public probes and live dials = the recorded original\n`
        : `✗ rollback of run #${run.runId} INCOMPLETE (not rolled back): ${incompleteReasons(outcome).join('; ')}\n`,
    );
    if (values.json) io.stdout.write(JSON.stringify({ ok: outcome.ok, runId: run.runId, entries: outcome.entries, smoke: outcome.smoke, proofs: outcome.proofs }, null, 2) + '\n');
    return outcome.ok ? 'ok' : 'incomplete';
  } finally {
    await run.close();
  }
}
