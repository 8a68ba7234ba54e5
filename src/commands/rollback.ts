// cutover rollback RUNBOOK [--yes] [--run N]: undoes what the newest run that changed the world actually did
// (newest step first), then smokes the legacy path through the proxy.
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { describeRollback } from '../runbook/describe.ts';
import { drivingOptions, openForDriving, progressHooks } from './drive.ts';
import { parseRunId } from './journal.ts';
import { runChanges } from '../journal/changes.ts';
import { CATALOG } from '../actions/index.ts';
import { incompleteReasons, newWritesLines, proofLines, type NewWritesChoice } from '../engine/rollback.ts';

export const help = `Usage: cutover rollback RUNBOOK [--yes] [--run N] [--copy-back | --discard-new-writes] [--state DIR] [--take-over] [--accept-changed-runbook] [--json]

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

Before anything is undone, each database the cutover copied into the target (copy steps with sqlite = true)
is compared with what the copy recorded (rows and max rowid per table). If the target took writes since
(a message delivered to the new daemon), the rollback stops, changing nothing (exit 1), names each identity
with its counts and asks for one of --copy-back or --discard-new-writes.

Options:
  --yes                     run the plan (otherwise: print it and exit 2)
  --run N                   roll back run N (see cutover journal) instead of the newest that changed something
  --copy-back               the target took writes since the copy: carry them back into the legacy container
                            after the undos (legacy daemon stopped meanwhile, a 0600 backup of the legacy file
                            first, the target's rows into it in the legacy schema, size + sha256 + integrity_check
                            verified, journaled)
  --discard-new-writes      the target took writes since the copy: roll back without them; the loss is named,
                            with the counts, in the journal and the report
  --state DIR               state directory holding the journal (default as for apply)
  --take-over               take over the lease of a driver that died
  --accept-changed-runbook  roll back although the runbook changed since the run started
  --json                    one JSON document on stdout {ok, runId, refused?, entries, smoke, proofs, newWrites};
                            progress on stderr
  --help                    this text

Exit codes: 0 rolled back and all three proofs hold, 1 INCOMPLETE (an undo, a copy-back or a proof failed),
or refused: the target took writes (no --copy-back / --discard-new-writes; nothing changed) or another driver
holds the lease, 2 bad input (no --yes, no run to roll back, both --copy-back and --discard-new-writes).
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'rollback',
    argv,
    { yes: { type: 'boolean' }, run: { type: 'string' }, 'copy-back': { type: 'boolean' }, 'discard-new-writes': { type: 'boolean' }, state: { type: 'string' }, 'take-over': { type: 'boolean' }, 'accept-changed-runbook': { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
    { positionals: [1, 1] },
  );
  const file = positionals[0]!;
  const human = values.json ? io.stderr : io.stdout;
  const runId = values.run === undefined ? undefined : parseRunId(values.run);
  if (values['copy-back'] && values['discard-new-writes']) throw new CliError('rollback: --copy-back and --discard-new-writes exclude each other: carry the new writes back, or lose them', 'usage');
  const newWrites: NewWritesChoice | undefined = values['copy-back'] ? 'copy-back' : values['discard-new-writes'] ? 'discard-new-writes' : undefined;
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
    if (passed.length) human.write(`later run(s) ${passed.map((x) => `#${x.id}${runChanges(run.journal, x.id, CATALOG).length ? '' : ' (changed nothing)'}`).join(', ')} passed over\n`);
    human.write(`rollback of run #${run.runId} (${rec.mode}, ${rec.outcome ?? 'unfinished'}) of ${run.runbook.runbook.name}: ${plan.entries.length} step(s), newest first\n`);
    for (const e of plan.entries) human.write(`  ${e.step.index}. ${e.step.key}${e.partial ? ' (failed: may be partial)' : ''}: ${describeRollback(e.step, run.runbook, CATALOG)}\n`);
    if (!values.yes) throw new CliError(`rollback: shown above; run it with cutover rollback ${file} --yes`, 'usage');
    const outcome = await run.rollback(progressHooks(run, human, { verbose: Boolean(values.verbose), yes: true }), newWrites ? { newWrites } : {});
    const json = () => {
      if (values.json) io.stdout.write(JSON.stringify({ ok: outcome.ok, runId: run.runId, ...(outcome.refused ? { refused: outcome.refused } : {}), entries: outcome.entries, smoke: outcome.smoke, proofs: outcome.proofs, newWrites: outcome.newWrites ?? null }, null, 2) + '\n');
    };
    const w = outcome.newWrites;
    if (outcome.refused === 'new-writes' && w) {
      human.write(
        [
          `✗ rollback of run #${run.runId} refused, nothing was changed: the target took writes since the cutover copied its databases`,
          ...newWritesLines(w).map((l) => `    ${l}`),
          'Choose, then run the rollback again:',
          `  cutover rollback ${file} --yes --copy-back            carry them back into the legacy containers (legacy daemon stopped meanwhile, its file backed up, size + sha256 + integrity verified)`,
          `  cutover rollback ${file} --yes --discard-new-writes   roll back without them (their loss is named, with the counts, in the journal and the report)`,
          '',
        ].join('\n'),
      );
      json();
      return 'refused';
    }
    if (w?.decision === 'discard-new-writes') human.write(['new writes in the target since the copy DISCARDED (--discard-new-writes):', ...newWritesLines(w).map((l) => `    ${l}`), ''].join('\n'));
    for (const c of w?.copyBack ?? []) human.write(`${c.ok ? '✓' : '✗'} copy-back of ${c.identity}: ${c.summary}\n`);
    for (const e of outcome.entries.filter((x) => x.result === 'kept')) human.write(`  · ${e.key}: ${e.summary}\n`);
    human.write(['legacy path after the rollback:', ...proofLines(outcome.proofs).map((l) => `  ${l}`), ''].join('\n'));
    human.write(
      outcome.ok
        ? `↺ run #${run.runId} rolled back; the legacy path is proven: local probes, public probes and live dials = the recorded original\n`
        : `✗ rollback of run #${run.runId} INCOMPLETE (not rolled back): ${incompleteReasons(outcome).join('; ')}\n`,
    );
    json();
    return outcome.ok ? 'ok' : 'incomplete';
  } finally {
    await run.close();
  }
}
