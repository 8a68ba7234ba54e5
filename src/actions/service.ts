// service.stop / service.start / exec: with a post-check that the daemon is really down / up (start: watched
// for a settle time, process and port, so a daemon that dies a moment later fails the step).
import { connect } from 'node:net';
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, lastLines, serviceRunning, serviceSwitch, sleep } from './inside.ts';
import { str, strList } from './params.ts';
import type { ActionResult } from './types.ts';
import { parseDuration } from '../engine/duration.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

const POLL_MS = 100;
/** Default of service.stop's `timeout`: how long the daemon may take to go down. */
const STOP_TIMEOUT_MS = 30_000;
/** The shortest watch: a daemon that dies right after start (bad manifest, crash) must not pass. */
const START_SETTLE_MS = 600;
/** How long service.start waits for a daemon with a `port` to answer before its settle time starts. */
const LISTEN_WAIT_MS = 15_000;

async function waitFor(pred: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() > until) return false;
    await sleep(POLL_MS);
  }
}

export const serviceStop: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const service = await str(step, ctx, 'service');
    const at = instanceRef(ctx.runbook, container);
    const timeoutMs = typeof step.params.timeout === 'string' ? parseDuration(step.params.timeout) : STOP_TIMEOUT_MS;
    // The status right after the stop comes back with it (one exec); only a daemon still going down is polled.
    const switched = await serviceSwitch(ctx, container, service, 'stop', timeoutMs, { confirmDown: true });
    const wasRunning = switched.wasRunning;
    const down = switched.down || (await waitFor(async () => !(await serviceRunning(ctx, container, service)), timeoutMs));
    if (!down) throw new ActionError(`${at}: ${service} still running ${timeoutMs / 1000} s after stop (the step's timeout)`, { container, service, wasRunning });
    return { summary: wasRunning ? `${service} stopped in ${at}` : `${service} was already stopped in ${at}`, changed: { container, service, wasRunning } };
  },
  report: (_step, result) => serviceChange(result),
};

/** The report fields of a service.stop / service.start (ServiceChange in src/journal/events.ts). */
function serviceChange({ changed: c = {} }: ActionResult): Record<string, unknown> {
  return { container: c.container, service: c.service, wasRunning: typeof c.wasRunning === 'boolean' ? c.wasRunning : null };
}

/** Default of service.start's `settle`: how long the after-start check watches the daemon. */
export const START_SETTLE_DEFAULT = '1s';

export const serviceStart: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const service = await str(step, ctx, 'service');
    const at = instanceRef(ctx.runbook, container);
    const settleMs = typeof step.params.settle === 'string' ? parseDuration(step.params.settle) : parseDuration(START_SETTLE_DEFAULT);
    const port = typeof step.params.port === 'number' ? step.params.port : null;
    const { wasRunning } = await serviceSwitch(ctx, container, service, 'start');
    // Watch the daemon for the whole settle time (process, and the port when given): one that answers once
    // and dies a second later must not pass.
    const dead = await watchSettle(ctx, container, service, port, Math.max(settleMs, START_SETTLE_MS));
    if (dead) {
      const log = await ctx.runtime.exec(container, ['cat', '/var/log/posta.log']).catch(() => null);
      const tail = log && log.exitCode === 0 ? lastLines(log.stdout) : '';
      throw new ActionError(`${at}: ${service} ${dead}${tail ? ` (log: ${tail})` : ''}`, { container, service, wasRunning });
    }
    return { summary: wasRunning ? `${service} was already running in ${at}` : `${service} started in ${at}, up through ${settleMs / 1000} s${port ? ` on port ${port}` : ''}`, changed: { container, service, wasRunning } };
  },
  report: (_step, result) => serviceChange(result),
};

/** Null while the daemon stays up for `ms`; otherwise what went wrong and when. */
async function watchSettle(ctx: Parameters<ActionExecutor['run']>[1], container: string, service: string, port: number | null, ms: number): Promise<string | null> {
  const started = Date.now();
  const ip = port ? ((await ctx.runtime.get(container))?.ipv4 ?? null) : null;
  if (port && !ip) return `cannot be checked on port ${port}: ${container} has no IPv4`;
  // With a port, the settle time counts from the first answer: a daemon slow to listen (a loaded host) is
  // not failed for it, and one that dies a moment after listening is still watched long enough to be seen.
  let listenedAt: number | null = null;
  const listenWaitMs = Math.max(ms, LISTEN_WAIT_MS);
  // Two connects in a row must fail to call it "stopped listening": on a loaded host one connect can time out
  // against a daemon that is fine (a dead daemon refuses at once, and its process check fails too).
  let missed = 0;
  for (;;) {
    const elapsed = Date.now() - started;
    if (!(await serviceRunning(ctx, container, service))) return elapsed < START_SETTLE_MS ? 'is not running after start' : `died ${(elapsed / 1000).toFixed(1)} s after start (watched for ${ms / 1000} s)`;
    if (port && ip) {
      const open = await canConnect(ip, port);
      if (open) {
        listenedAt ??= Date.now();
        missed = 0;
      } else if (listenedAt !== null && ++missed >= 2) return `stopped listening on ${ip}:${port} ${(elapsed / 1000).toFixed(1)} s after start`;
      if (listenedAt === null && elapsed >= listenWaitMs) return `is running but not listening on ${ip}:${port} after ${listenWaitMs / 1000} s`;
    }
    const settled = port ? (listenedAt === null ? 0 : Date.now() - listenedAt) : elapsed;
    if (settled >= ms && missed === 0) return null;
    await sleep(Math.min(200, Math.max(missed ? 100 : 0, ms - settled)));
  }
}

/** Whether host:port accepts a TCP connection within 500 ms. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** How much of an exec's stdout/stderr its verify conditions can read. */
const EXEC_DETAIL_LIMIT = 64 * 1024;

export const exec: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const argv = await strList(step, ctx, 'argv');
    const expect = typeof step.params.expect_exit === 'number' ? step.params.expect_exit : 0;
    const r = await execChecked(ctx, container, argv, expect);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    // The output, for the step's own verify conditions (body.stdout …); capped, never journaled.
    const cap = (t: string) => (t.length > EXEC_DETAIL_LIMIT ? t.slice(0, EXEC_DETAIL_LIMIT) : t);
    return { summary: `${argv[0]} exited ${r.exitCode}${last ? `: ${last.slice(0, 80)}` : ''}`, changed: { container, argv }, details: { exitCode: r.exitCode, stdout: cap(r.stdout), stderr: cap(r.stderr) } };
  },
};
