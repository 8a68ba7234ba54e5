// cutover watch RUNBOOK: the cockpit, read-only, following whoever drives (from the journal) with live panels.
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import type { Follower } from '../cockpit/follow.ts';
import type { Live } from '../cockpit/setup.ts';
import type { LiveContext } from '../../checks/live.ts';

export const help = `Usage: cutover watch RUNBOOK [--state DIR] [--interval SECONDS]

The cockpit screen, read-only: the step states, output and outage clock from the journal of whoever drives
(\`cutover run\` or \`cutover apply\`), and the four live panels re-checked every 2 s. The header says who
drives. There are no run, skip or rollback keys here; pressing them says so. Keys: docs/keys.md.
After the cutover, the verification history (cutover verify --every) shows above the output as a strip per
identity, one cell per run: ✓ green, ✗ red, ? cannot check.

Needs a terminal; without one use \`cutover status RUNBOOK\` or \`cutover journal RUNBOOK\`.

Options:
  --state DIR         state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --interval SECONDS  panel refresh interval (default 2)
  --help              this text

Exit codes: 0 after q, 2 bad input or no terminal.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('watch', argv, { state: { type: 'string' }, interval: { type: 'string' } }, { positionals: [1, 1] });
  const file = positionals[0]!;
  // The first frame comes from the validated runbook's plan; the journal, the live panels and the previews
  // are opened after it and arrive as events.
  const { prepareCockpit } = await import('../cockpit/start.ts');
  const { mountCockpit, initialStore, intervalS, loaded } = await prepareCockpit('watch', file, io, values.interval, '');
  const store = initialStore(loaded.runbook, loaded.steps, { readOnly: true, driver: 'nobody', detail: 'opening journal…' });
  let ticker: Live | null = null;
  let follower: Follower | null = null;
  let live: LiveContext | null = null;
  let history: { stop(): void } | null = null;
  let close = () => {};
  store.onEffect((e) => {
    if (e.type === 'recheck') void ticker?.panels.refreshNow();
    if (e.type === 'quit') close();
  });
  const screen = mountCockpit(store, io, { onInterrupt: () => close() });
  close = screen.close;
  try {
    await new Promise((r) => setImmediate(r)); // the first frame is out
    const { followJournal } = await import('../cockpit/follow.ts');
    const { addPreviews, startLive } = await import('../cockpit/setup.ts');
    const { liveContext } = await import('../cockpit/live.ts');
    live = liveContext(file, loaded, io.env, values.state);
    follower = followJournal(store, { stateDir: live.stateDir, plan: live.steps, env: io.env });
    addPreviews(store, loaded.runbook, loaded.steps);
    ticker = startLive(store, live, io.env, intervalS);
    history = (await import('../cockpit/history.ts')).followHistory(store, live.stateDir, loaded.runbook.identities.map((i) => i.slug));
    await screen.closed;
  } catch (err) {
    screen.close();
    await screen.closed;
    throw err;
  } finally {
    ticker?.stop();
    follower?.stop();
    history?.stop();
    await live?.http.close();
  }
  return 'ok';
}
