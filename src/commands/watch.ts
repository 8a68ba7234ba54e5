// cutover watch RUNBOOK: the cockpit, read-only, following whoever drives (from the journal) with live panels.
import { parseCommandArgs } from '../cli/args.ts';
import { CliError, type CliIO } from '../cli/io.ts';

export const help = `Usage: cutover watch RUNBOOK [--state DIR] [--interval SECONDS]

The cockpit screen, read-only: the step states, output and outage clock from the journal of whoever drives
(\`cutover run\` or \`cutover apply\`), and the four live panels re-checked every 2 s. The header says who
drives. There are no run, skip or rollback keys here; pressing them says so. Keys: docs/keys.md.

Needs a terminal; without one use \`cutover status RUNBOOK\` or \`cutover journal RUNBOOK\`.

Options:
  --state DIR         state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --interval SECONDS  panel refresh interval (default 2)
  --help              this text

Exit codes: 0 after q, 2 bad input or no terminal.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('watch', argv, { state: { type: 'string' }, interval: { type: 'string' } }, { positionals: [1, 1] });
  const file = positionals[0]!;
  const { requireTty, mountCockpit, leanHeap } = await import('../cockpit/terminal.tsx');
  requireTty(io, 'watch', file);
  leanHeap();
  const { parseInterval, createStore, startLive } = await import('../cockpit/setup.ts');
  let intervalS: number;
  try {
    intervalS = parseInterval(values.interval);
  } catch (err) {
    throw new CliError(`watch: ${(err as Error).message}`, 2);
  }
  const { openLive } = await import('./status.ts');
  const { followJournal } = await import('../cockpit/follow.ts');
  const live = await openLive(file, io, values.state);
  const store = createStore(live.runbook, live.steps, { readOnly: true, driver: 'nobody' });
  const follower = followJournal(store, { stateDir: live.stateDir, plan: live.steps, env: io.env });
  const ticker = startLive(store, live, io.env, intervalS);
  let close = () => {};
  store.onEffect((e) => {
    if (e.type === 'recheck') void ticker.panels.refreshNow();
    if (e.type === 'quit') close();
  });
  const screen = mountCockpit(store, io, { onInterrupt: () => close() });
  close = screen.close;
  try {
    await screen.closed;
  } finally {
    ticker.stop();
    follower.stop();
    await live.http.close();
  }
  return 0;
}
