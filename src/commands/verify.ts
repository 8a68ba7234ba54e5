// cutover verify RUNBOOK: the post-cutover acceptance criteria of seed 001, over one after-phase snapshot.
import { CliError, type CliIO } from '../contract/io.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { systemClock } from '../ports.ts';
import { takeSnapshot } from '../../checks/snapshot.ts';
import { upstreamsPanel } from '../../checks/upstreams.ts';
import { targetName } from '../../checks/context.ts';
import { daemonSpec, evaluateVerify, type DaemonObservation } from '../../checks/verify.ts';
import { combine } from '../../checks/snapshot.ts';
import { glyph, renderSnapshot, wrap } from '../../checks/text.ts';
import { cannotCheckReasons, exitCodeOf } from './status.ts';
import { openLive, type LiveContext } from '../../checks/live.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJournal, JOURNAL_FILE } from '../journal/index.ts';
import { decommissionedContainers } from '../actions/decommission-inputs.ts';

export const help = `Usage: cutover verify RUNBOOK [--json] [--state DIR]

Post-cutover verification (seed 001's acceptance criteria), each judged from live state:
  1. the target container is Running with its daemon started from the init script the runbook writes
  2. every identity passes every smoke check locally (target IP + Host) and publicly (through Caddy)
  3. device tokens survived: every token in the baseline is in the new DB; active devices seen again
  4. Caddy's live config points every site at the target, and equals the Caddyfile on disk (no drift)
  5. the legacy containers are stopped but not deleted (autostart off, delete protection on)
Needs the baseline recorded before the cutover (cutover status RUNBOOK --baseline).

Options:
  --json        one JSON document on stdout: {ok, criteria:[{id, ok, expected, actual}], containers,
                upstreams, smoke, tokens}
  --state DIR   state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --help        this text

Exit codes: 0 pass, 1 fail, 2 cannot check (the reason is printed) or bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', argv, { json: { type: 'boolean' }, state: { type: 'string' } }, { positionals: [1, 1] });
  const live = await openLive(positionals[0]!, io, values.state);
  try {
    const baseline = await live.baselines.load().catch((err: Error) => {
      throw new CliError(err.message, 2);
    });
    const target = targetName(live.runbook);
    if (!target) throw new CliError(`${live.file}: verify needs a container with role = "target"`, 2);
    const [s, daemon] = await Promise.all([
      takeSnapshot(
        live.runbook,
        { runtime: live.runtime, http: live.http, upstreams: (rb, instances) => upstreamsPanel(rb, instances, { expect: { container: target } }) },
        { phase: 'after', baseline, env: io.env },
      ),
      observeDaemon(live),
    ]);
    const criteria = evaluateVerify(live.runbook, s, daemon, baseline !== null, decommissioned(live.stateDir));
    const ok = combine(criteria.map((c) => c.ok));
    if (values.json) {
      io.stdout.write(JSON.stringify({ ok, phase: s.phase, criteria, containers: s.containers, upstreams: s.upstreams, smoke: s.smoke, tokens: s.tokens }, null, 2) + '\n');
    } else {
      const width = Math.min(io.stdout.columns ?? 80, 120);
      const lines = [`verify ${live.runbook.runbook.name}: ${ok === true ? '✓ PASS' : ok === false ? '✗ FAIL' : '? CANNOT CHECK'}`];
      criteria.forEach((c, i) => lines.push(...wrap(`  ${glyph(c.ok)} ${i + 1}. ${c.title}: ${c.actual}`, width, 7)));
      lines.push('', ...renderSnapshot(s, { title: `${live.runbook.runbook.name} · ${live.runbook.runbook.host}`, now: systemClock.now(), width }));
      io.stdout.write(lines.join('\n') + '\n');
    }
    const reasons = cannotCheckReasons(s);
    if (ok === null && reasons.length) io.stderr.write(`cannot check: ${reasons.join('; ')}\n`);
    return exitCodeOf(ok);
  } finally {
    await live.http.close();
  }
}

/** Legacy containers a decommission recorded in this state dir's journal deleted (none without a journal). */
function decommissioned(stateDir: string): Map<string, { runId: number; at: number }> {
  if (!existsSync(join(stateDir, JOURNAL_FILE))) return new Map();
  const j = openJournal({ stateDir, readonly: true });
  try {
    return decommissionedContainers(j);
  } finally {
    j.close();
  }
}

async function observeDaemon(live: LiveContext): Promise<DaemonObservation | null> {
  const spec = daemonSpec(live.runbook, live.steps);
  if (!spec) return null;
  const tryExec = (argv: string[]) => live.runtime.exec(spec.container, argv, { timeoutMs: 10_000 }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
  const [status, script] = await Promise.all([tryExec(['service', spec.service, 'status']), spec.initContent === null ? null : tryExec(['cat', spec.initPath])]);
  const detail = (status.stdout + status.stderr).trim().split('\n').pop() ?? '';
  return {
    service: spec.service,
    running: status.exitCode === 0,
    detail: detail || `exit ${status.exitCode}`,
    initScriptMatches: script === null || spec.initContent === null ? null : script.exitCode === 0 && script.stdout.trim() === spec.initContent.trim(),
  };
}
