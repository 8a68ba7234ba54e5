// cutover verify RUNBOOK: the post-cutover acceptance criteria of seed 001, over one after-phase snapshot.
import { CATALOG } from '../actions/index.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import { verdictOutcome, type Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { systemClock, type ExecResult, type Runtime } from '../ports.ts';
import { upstreamsPanel } from '../../checks/upstreams.ts';
import { targetName } from '../../checks/context.ts';
import { daemonObservation, daemonSpec, evaluateVerify, type Criterion, type DaemonObservation, type DaemonSpec } from '../../checks/verify.ts';
import { combine, takeSnapshot, type SnapshotResult } from '../../checks/snapshot.ts';
import { cannotCheck, observe, type RestartSeen } from '../../checks/history.ts';
import { reviewLogs } from '../../checks/logs.ts';
import { createHttp } from '../adapters/http.ts';
import { parseDuration } from '../engine/duration.ts';
import { recordVerification } from '../journal/verifications.ts';
import { humanDuration } from '../report/format.ts';
import { defaultJitterMs, realSleep, startSchedule } from './verify-schedule.ts';
import { glyph, renderSnapshot, wrap } from '../../checks/text.ts';
import { cannotCheckReasons } from './status.ts';
import { openLive, type LiveContext } from '../../checks/live.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJournal, JOURNAL_FILE } from '../journal/index.ts';
import { decommissionedContainers, findCutoverEnd } from '../actions/decommission-inputs.ts';
import { factsForVerify, readJournalFacts } from '../report/facts.ts';
import { otherSitesLines, otherSitesNow } from '../preflight/index.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const help = `Usage: cutover verify RUNBOOK [--json] [--state DIR]
       cutover verify RUNBOOK --every 15m [--for 7d] [--jitter 90s] [--concurrency 8] [--json] [--state DIR]
       cutover verify RUNBOOK --record [--every 15m] [--json] [--state DIR]

Post-cutover verification (seed 001's acceptance criteria), each judged from live state:
  1. the target container is Running with its daemon started from the init script the runbook writes
  2. every identity passes every smoke check locally (target IP + Host) and publicly (through Caddy)
  3. device tokens survived: every token in the baseline is in the new DB; active devices seen again
  4. Caddy's live config points every site at the target, and equals the Caddyfile on disk (no drift)
  5. the legacy containers are stopped but not deleted (autostart off, delete protection on)
Needs the baseline recorded before the cutover (cutover status RUNBOOK --baseline).

Over the stability window (the evidence the decommission's gate decides on): --every runs the same
read-only verification on a schedule, in the foreground (a tmux window, or a service), and records each
run in the journal: verdict, every smoke check (ok, HTTP status, latency), every device token (last seen),
and the unexpected daemon restarts the log review of the target's service finds since the cutover ended.
Nothing on the host is changed. A run that cannot reach the host or the lab (or does not finish within
--every, at least 60s and at most 5m) is recorded as "cannot check" (neither green nor red) and the
schedule goes on. SIGINT/SIGTERM end it cleanly (a run in flight is finished and recorded first).
Read the history with cutover journal RUNBOOK --verifications.

Options:
  --json            one JSON document on stdout: {ok, phase, world, criteria:[{id, ok, expected, actual}], containers,
                    upstreams, smoke, tokens}; with --every: one JSON document per line, per run
                    ({id, at, durationMs, ok, error, phase, criteria, checks, tokens})
  --every D         run every D (e.g. 5s, 15m, 1h) on a fixed grid; a run that overruns skips the missed
                    slots; each run covers D of the window in the history's coverage
  --for D           stop after D (e.g. 7d); default: until SIGINT/SIGTERM
  --jitter D        the first run waits a random 0..D (default: a tenth of --every, at most 60s)
  --concurrency N   HTTP probes in flight at once (default 8)
  --record          record a single run in the journal (for cron or a systemd timer; --every D says which
                    period it stands for, default 15m); exit code as without it
  --state DIR       state directory (default: runbook.state_dir or ~/.local/state/cutover/<name>)
  --help            this text

Exit codes: 0 pass, 1 fail, 2 cannot check (the reason is printed) or bad input. With --every: 0 when
--for has passed or it was stopped by SIGINT/SIGTERM, 2 bad input.
`;

export interface VerifyResult {
  ok: boolean | null;
  criteria: Criterion[];
  snapshot: SnapshotResult;
}

/** One verification of the live state (the one judgement for verify, --every and --record). */
export async function verifyOnce(live: LiveContext, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  const baseline = await live.baselines.load().catch((err: Error) => {
    throw new CliError(err.message, 'bad-input');
  });
  const target = targetName(live.runbook);
  if (!target) throw new CliError(`${live.file}: verify needs a container with role = "target"`, 'usage');
  const facts = readJournalFacts(live.stateDir, live.steps.length);
  const [s, daemon] = await Promise.all([
    takeSnapshot(
      live.runbook,
      { runtime: live.runtime, http: live.http, upstreams: (rb, instances) => upstreamsPanel(rb, instances, { expect: { container: target } }) },
      { phase: 'after', baseline, env, facts: factsForVerify(facts), worldFacts: facts },
    ),
    observeDaemon(daemonSpec(live.runbook, live.steps), live.runtime),
  ]);
  const criteria = evaluateVerify(live.runbook, s, daemon, baseline !== null, decommissioned(live.stateDir));
  return { ok: combine(criteria.map((c) => c.ok)), criteria, snapshot: s };
}

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'verify',
    argv,
    {
      json: { type: 'boolean' },
      state: { type: 'string' },
      every: { type: 'string' },
      for: { type: 'string' },
      jitter: { type: 'string' },
      concurrency: { type: 'string' },
      record: { type: 'boolean' },
    },
    { positionals: [1, 1] },
  );
  const sched = scheduleFlags(values);
  const live = await openLive(positionals[0]!, io, values.state, CATALOG);
  if (sched.concurrency !== null) {
    await live.http.close();
    live.http = createHttp({ concurrency: sched.concurrency });
  }
  try {
    if (sched.everyMs !== null && !values.record) return await scheduled(live, io, { ...sched, everyMs: sched.everyMs, json: Boolean(values.json) });
    const started = systemClock.now();
    const { ok, criteria, snapshot: s } = await verifyOnce(live, io.env);
    if (values.record) {
      const id = await recordRun(live, io, started, sched.everyMs ?? DEFAULT_RECORD_EVERY_MS, observe(criteria, s));
      io.stderr.write(`verify: recorded run #${id} in ${join(live.stateDir, JOURNAL_FILE)}\n`);
    }
    const others = await otherSitesNow(live.runbook, live.runtime);
    if (values.json) {
      io.stdout.write(JSON.stringify({ ok, phase: s.phase, ...(s.world ? { world: s.world } : {}), criteria, containers: s.containers, upstreams: s.upstreams, smoke: s.smoke, tokens: s.tokens, otherSites: others }, null, 2) + '\n');
    } else {
      const width = Math.min(io.stdout.columns ?? 80, 120);
      const lines = [`verify ${live.runbook.runbook.name}: ${ok === true ? '✓ PASS' : ok === false ? '✗ FAIL' : '? CANNOT CHECK'}${s.world && s.world.kind !== 'after' ? ` · state: ${s.world.text}` : ''}`];
      criteria.forEach((c, i) => lines.push(...wrap(`  ${glyph(c.ok)} ${i + 1}. ${c.title}: ${c.actual}`, width, 7)));
      lines.push('', ...renderSnapshot(s, { title: `${live.runbook.runbook.name} · ${live.runbook.runbook.host}`, now: systemClock.now(), width }), ...otherSitesLines(others, live.runbook));
      io.stdout.write(lines.join('\n') + '\n');
    }
    const reasons = cannotCheckReasons(s);
    if (ok === null && reasons.length) io.stderr.write(`cannot check: ${reasons.join('; ')}\n`);
    return verdictOutcome(ok);
  } finally {
    await live.http.close();
  }
}

const DEFAULT_RECORD_EVERY_MS = 15 * 60_000;
const DEFAULT_CONCURRENCY = 8;

interface ScheduleFlags {
  everyMs: number | null;
  forMs: number | null;
  jitterMs: number | null;
  concurrency: number | null;
}

function durationFlag(flag: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new CliError(`verify: ${flag} ${(err as Error).message}`, 'usage');
  }
  return ms;
}

function scheduleFlags(values: { every?: string; for?: string; jitter?: string; concurrency?: string; record?: boolean }): ScheduleFlags {
  const everyMs = durationFlag('--every', values.every);
  if (everyMs !== null && everyMs < 1000) throw new CliError(`verify: --every ${values.every} is too short; at least 1s (e.g. 5s, 15m)`, 'usage');
  const forMs = durationFlag('--for', values.for);
  const jitterMs = durationFlag('--jitter', values.jitter);
  if (everyMs === null && !values.record) {
    const stray = (['for', 'jitter', 'concurrency'] as const).filter((k) => values[k] !== undefined);
    if (stray.length) throw new CliError(`verify: --${stray[0]} goes with --every (e.g. cutover verify RUNBOOK --every 15m --for 7d)`, 'usage');
  }
  if (values.record && (forMs !== null || jitterMs !== null)) throw new CliError('verify: --record records one run; --for and --jitter go with --every alone', 'usage');
  if (forMs !== null && everyMs !== null && forMs < everyMs) throw new CliError(`verify: --for ${values.for} is shorter than --every ${values.every}`, 'usage');
  let concurrency: number | null = null;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new CliError(`verify: --concurrency needs a whole number from 1 to 256 (got "${values.concurrency}")`, 'usage');
  }
  return { everyMs, forMs, jitterMs, concurrency: concurrency ?? (everyMs !== null || values.record ? DEFAULT_CONCURRENCY : null) };
}

/** Unexpected restarts of the target's daemon since the cutover ended, from its OpenRC log; null if unreadable. */
async function reviewRestarts(live: LiveContext, io: CliIO, now: number): Promise<RestartSeen[] | null> {
  const spec = daemonSpec(live.runbook, live.steps);
  if (!spec) return null;
  let from: number | null = null;
  if (existsSync(join(live.stateDir, JOURNAL_FILE))) {
    const j = openJournal({ stateDir: live.stateDir, readonly: true });
    try {
      from = findCutoverEnd({ journal: j, self: live.runbook.runbook.name, env: io.env }, live.runbook.runbook.name)?.at ?? null;
    } finally {
      j.close();
    }
  }
  const review = await reviewLogs(live.runtime, spec.container, [{ kind: 'openrc', unit: spec.service }], { from, to: now, identities: live.runbook.identities.map((i) => i.slug), shownAs: instanceRef(live.runbook, spec.container) });
  if (!review.sources.some((s) => s.ok && s.lines > 0)) return null;
  return review.summary.restarts.map((r) => ({ at: r.at, line: r.line }));
}

async function recordRun(live: LiveContext, io: CliIO, at: number, everyMs: number, seen: ReturnType<typeof observe>): Promise<number> {
  const end = systemClock.now();
  const restarts = seen.ok === null ? null : await reviewRestarts(live, io, end).catch(() => null);
  const j = openJournal({ stateDir: live.stateDir, env: io.env });
  try {
    return recordVerification(j, { runbook: live.runbook.runbook.name, at, durationMs: end - at, intervalMs: everyMs, restarts, ...seen });
  } finally {
    j.close();
  }
}

async function scheduled(live: LiveContext, io: CliIO, o: ScheduleFlags & { everyMs: number; json: boolean }): Promise<Outcome> {
  const name = live.runbook.runbook.name;
  const runTimeoutMs = Math.max(60_000, Math.min(o.everyMs, 300_000));
  const counts = { green: 0, red: 0, cannotCheck: 0 };
  const schedule = startSchedule({
    everyMs: o.everyMs,
    forMs: o.forMs,
    jitterMs: o.jitterMs ?? defaultJitterMs(o.everyMs),
    now: () => systemClock.now(),
    sleep: realSleep,
    once: async () => {
      const at = systemClock.now();
      let result: VerifyResult | { error: string };
      let timer: NodeJS.Timeout | undefined;
      try {
        result = await Promise.race([
          verifyOnce(live, io.env),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`verify did not finish within ${runTimeoutMs / 1000}s`)), runTimeoutMs))),
        ]);
      } catch (err) {
        result = { error: (err as Error).message.split('\n')[0]! };
      } finally {
        clearTimeout(timer);
      }
      const seen = 'error' in result ? cannotCheck(result.error) : observe(result.criteria, result.snapshot);
      let id: number | null = null;
      try {
        id = await recordRun(live, io, at, o.everyMs, seen);
      } catch (err) {
        io.stderr.write(`verify: could not record the run in the journal: ${(err as Error).message}\n`);
      }
      counts[seen.ok === true ? 'green' : seen.ok === false ? 'red' : 'cannotCheck']++;
      const took = systemClock.now() - at;
      if (o.json) io.stdout.write(JSON.stringify({ id, at, durationMs: took, ...seen }) + '\n');
      else {
        const red = seen.criteria.filter((c) => c.ok === false).map((c) => c.said);
        const what = seen.ok === true ? '✓ green' : seen.ok === false ? `✗ red: ${red.join('; ')}` : `? cannot check: ${seen.error}`;
        io.stdout.write(`${new Date(at).toISOString().slice(0, 19)}Z #${id ?? '-'} ${what} (${took} ms)\n`);
      }
    },
  });
  const onSignal = (sig: NodeJS.Signals) => {
    io.stderr.write(`verify: ${sig}: stopping after the run in flight, if any\n`);
    schedule.stop();
  };
  // `on`, not `once`: while a probe's child process runs, execa's signal-exit re-raises a signal that has no
  // other listener left, which would kill the process before the run in flight is recorded.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  io.stderr.write(`verify ${name}: every ${humanDuration(o.everyMs)}${o.forMs !== null ? ` for ${humanDuration(o.forMs)}` : ' until stopped'}, recording into ${join(live.stateDir, JOURNAL_FILE)}\n`);
  try {
    const r = await schedule.done;
    io.stderr.write(`verify ${name}: ${r.stoppedEarly ? 'stopped' : 'window done'} after ${r.runs} run(s): ${counts.green} green, ${counts.red} red, ${counts.cannotCheck} cannot check\n`);
    return 'ok';
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
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

/** A failed read of the init script is tried again this many times, this far apart, before it is "cannot check". */
export const INIT_READ_RETRIES = 3;
export const INIT_READ_GAP_MS = 500;

/**
 * The target's daemon as `service NAME status` and its init script show it, through the runtime port. Real
 * Incus may refuse an exec for a moment right after the instance's daemon (re)started: a failed read of the
 * script is tried again (INIT_READ_RETRIES, INIT_READ_GAP_MS apart) before it counts as "cannot check"; an exec
 * that throws (timeout) is a failed read too. The judgement is daemonObservation's (pure, checks/verify.ts).
 */
export async function observeDaemon(spec: DaemonSpec | null, runtime: Pick<Runtime, 'exec'>, o: { sleep?: (ms: number) => Promise<void> } = {}): Promise<DaemonObservation | null> {
  if (!spec) return null;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const tryExec = (argv: string[]): Promise<ExecResult> => runtime.exec(spec.container, argv, { timeoutMs: 10_000 }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
  const readInit = async () => {
    let r = await tryExec(['cat', spec.initPath]);
    for (let i = 0; i < INIT_READ_RETRIES && r.exitCode !== 0; i++) {
      await sleep(INIT_READ_GAP_MS);
      r = await tryExec(['cat', spec.initPath]);
    }
    return r;
  };
  const [status, script] = await Promise.all([tryExec(['service', spec.service, 'status']), spec.initContent === null ? null : readInit()]);
  return daemonObservation(spec, status, script);
}
