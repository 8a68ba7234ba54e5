// service.start: start a daemon inside a container and watch it for a settle time (process, and the port when
// given), so a daemon that dies a moment later fails the step.
import { z } from 'zod';
import { duration, tmpl } from '../runbook/schema.ts';
import { container, refContainer, str as planStr } from '../runbook/plan-text.ts';
import type { Action, ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { canConnect, lastLines, serviceChange, serviceRunning, serviceSwitch, sleep } from './inside.ts';
import { str } from './params.ts';
import { parseDuration } from '../engine/duration.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

/** The shortest watch: a daemon that dies right after start (bad manifest, crash) must not pass. */
const START_SETTLE_MS = 600;
/** How long service.start waits for a daemon with a `port` to answer before its settle time starts. */
const LISTEN_WAIT_MS = 15_000;

/** Default of service.start's `settle`: how long the after-start check watches the daemon. */
export const START_SETTLE_DEFAULT = '1s';

export const serviceStart: Action = {
  params: z.strictObject({
    container: tmpl,
    service: z.string().min(1),
    /** How long the after-start check watches the daemon (process, and `port` when given); default 1s. */
    settle: duration.optional(),
    /** TCP port the daemon must answer on (the container's IPv4) within 15 s, then keep listening on through the settle time. */
    port: z.number().int().min(1).max(65535).optional(),
  }),
  example: { container: 'posta', service: 'posta', port: 80 },
  doc: {
    keys: '`container`, `service`, `settle` (`1s`), `port` (none)',
    does: "OpenRC `service NAME start`, then checks the daemon is really up: it watches it for the whole `settle` time — the process, and with `port` that it keeps listening on the container's IPv4, the settle time then counting from its first answer (up to 15 s to give one) — so a daemon that dies a moment after start fails the step",
  },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- service ${planStr(p, 'service')} start`],
  undo: { kind: 'none', reason: 'a started daemon is stopped again by a rollback step (service.stop) the runbook names' },
  byHand: (p, ref) => [`incus exec ${refContainer(p, ref)} -- service ${String(p.service)} start`],
  preflight: { none: 'the daemon is started after the outage opens; the container is checked like every other (container-missing)' },
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
