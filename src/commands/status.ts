// cutover status RUNBOOK: one snapshot of the four panels (containers, upstreams, smoke, tokens).
import { CATALOG } from '../actions/index.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import { verdictOutcome, type Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { systemClock } from '../ports.ts';
import { takeSnapshot, type SnapshotResult } from '../../checks/snapshot.ts';
import { openLive, type LiveContext } from '../../checks/live.ts';
import { derivePhase } from '../../checks/containers.ts';
import type { Phase } from '../../checks/context.ts';
import { recordBaseline } from '../../checks/baseline-record.ts';
import { renderSnapshot } from '../../checks/text.ts';
import { otherSitesLines, otherSitesNow, type OtherSites } from '../preflight/index.ts';
import { readJournalFacts } from '../report/facts.ts';

export const help = `Usage: cutover status RUNBOOK [--json] [--watch N] [--baseline] [--phase before|after] [--state DIR]

One snapshot of every panel the cockpit shows:
  Containers  status, IPv4, autostart, delete protection, judged against the phase
  Upstreams   Caddyfile on disk vs the live config, drift, what the live dial points at
  Smoke       each identity × smoke check at the local vantage (container IP + Host header)
              and the public one (through the proxy), with expected vs actual
  Tokens      device tokens per identity (masked), last seen, survival against the baseline

Options:
  --json          one JSON document on stdout: {ok, phase, world, containers, upstreams, smoke, tokens, otherSites}
                  (world: {kind, runId?, text}: before, mid-run, after, rolling-back, rolled-back, decommissioned)
                  (otherSites: sites outside proxy.sites that dial a legacy container, {list, unresolved})
                  (with --watch: one document per line, per snapshot)
  --watch N       re-run every N seconds (TTY: redrawn in place; otherwise one snapshot per interval)
  --count N       with --watch: stop after N snapshots
  --baseline      first record the baseline (actor public keys, token names + hashes) that verify
                  compares against; refused after the cutover
  --phase P       before | after | auto (default auto: after once the live proxy points at the target)
  --state DIR     state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --help          this text

Exit codes: 0 all green, 1 something is red, 2 cannot check (the reason is printed) or bad input.
`;

export function parsePhase(value: string | undefined): Phase | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'before' || value === 'after') return value;
  throw new CliError(`--phase must be before, after or auto (got "${value}")`, 'usage');
}

/** Why a snapshot could not be checked, one line per panel that failed. */
export function cannotCheckReasons(s: SnapshotResult): string[] {
  const byError = new Map<string, string[]>();
  for (const p of [s.containers, s.upstreams, s.smoke, s.tokens]) if (p.error) byError.set(p.error, [...(byError.get(p.error) ?? []), p.panel]);
  return [...byError].map(([error, panels]) => `${panels.join(', ')}: ${error}`);
}

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'status',
    argv,
    {
      json: { type: 'boolean' },
      watch: { type: 'string' },
      count: { type: 'string' },
      baseline: { type: 'boolean' },
      phase: { type: 'string' },
      state: { type: 'string' },
    },
    { positionals: [1, 1] },
  );
  const phaseOpt = parsePhase(values.phase);
  const watchS = values.watch === undefined ? null : positiveNumber('--watch', values.watch);
  const count = values.count === undefined ? null : positiveNumber('--count', values.count);
  const live = await openLive(positionals[0]!, io, values.state, CATALOG);
  try {
    if (values.baseline) await record(live, io, phaseOpt);
    const baseline = await live.baselines.load();
    const once = async (): Promise<SnapshotResult> =>
      takeSnapshot(live.runbook, { runtime: live.runtime, http: live.http, upstreams: live.upstreams }, { phase: phaseOpt, baseline, env: io.env, facts: readJournalFacts(live.stateDir, live.steps.length) });
    if (watchS === null) {
      const s = await once();
      print(s, live, io, Boolean(values.json), false, await otherSitesNow(live.runbook, live.runtime));
      return verdictOutcome(s.ok);
    }
    return await watch(once, live, io, Boolean(values.json), watchS, count);
  } finally {
    await live.http.close();
  }
}

function positiveNumber(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} needs a positive number (got "${v}")`, 'usage');
  return n;
}

async function record(live: LiveContext, io: CliIO, phaseOpt: Phase | 'auto'): Promise<void> {
  let instances;
  try {
    instances = await live.runtime.list();
  } catch (err) {
    throw new CliError(`cannot record the baseline: cannot list containers: ${(err as Error).message}`, 'cannot-check');
  }
  const phase = phaseOpt === 'auto' ? derivePhase(live.runbook, instances, null) : phaseOpt;
  if (phase === 'after') throw new CliError('refusing to record a baseline after the cutover (it would bless the new state); the baseline is taken before the first destructive step', 'bad-input');
  let baseline;
  try {
    baseline = await recordBaseline(live.runbook, live, { phase, instances, env: io.env, now: new Date(systemClock.now()), runId: null });
  } catch (err) {
    throw new CliError((err as Error).message, 'bad-input');
  }
  await live.baselines.save(baseline);
  const n = Object.values(baseline.identities).reduce((sum, b) => sum + b.tokens.length, 0);
  io.stderr.write(`baseline recorded: ${Object.keys(baseline.identities).length} identities, ${n} tokens → ${live.baselines.location}\n`);
}

export function print(s: SnapshotResult, live: LiveContext, io: CliIO, json: boolean, inPlace: boolean, others?: OtherSites | null): void {
  if (json) {
    io.stdout.write(JSON.stringify(others === undefined ? s : { ...s, otherSites: others }, null, inPlace ? undefined : 2) + '\n');
  } else {
    const lines = [...renderSnapshot(s, { title: `${live.runbook.runbook.name} · ${live.runbook.runbook.host}`, now: systemClock.now(), width: Math.min(io.stdout.columns ?? 80, 120) }), ...otherSitesLines(others ?? null, live.runbook)];
    if (inPlace) io.stdout.write('\x1b[H' + lines.map((l) => l + '\x1b[K').join('\n') + '\n\x1b[J');
    else io.stdout.write(lines.join('\n') + '\n');
  }
  const reasons = cannotCheckReasons(s);
  if (reasons.length > 0 && !inPlace) io.stderr.write(`cannot check: ${reasons.join('; ')}\n`);
}

/** Re-runs every `seconds`; stops after `count` snapshots or on SIGINT/SIGTERM. Exit code of the last one. */
async function watch(once: () => Promise<SnapshotResult>, live: LiveContext, io: CliIO, json: boolean, seconds: number, count: number | null): Promise<Outcome> {
  const tty = Boolean(io.stdout.isTTY) && !json;
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let code: Outcome = 'cannot-check';
  try {
    if (tty) io.stdout.write('\x1b[?25l\x1b[2J');
    for (let n = 0; !stop && (count === null || n < count); n++) {
      const started = systemClock.now();
      const s = await once();
      code = verdictOutcome(s.ok);
      print(s, live, io, json, tty);
      if (count !== null && n + 1 >= count) break;
      const wait = Math.max(0, seconds * 1000 - (systemClock.now() - started));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    if (tty) io.stdout.write('\x1b[?25h');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return code;
}
