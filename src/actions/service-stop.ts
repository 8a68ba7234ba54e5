// service.stop: stop a daemon inside a container (stop-if-running) and wait until it is really down.
import { z } from 'zod';
import { duration, tmpl } from '../runbook/schema.ts';
import { container, refContainer, str as planStr } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { serviceChange, serviceRunning, serviceSwitch, sleep } from './inside.ts';
import { str } from './params.ts';
import { parseDuration } from '../engine/duration.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

const POLL_MS = 100;
/** Default of service.stop's `timeout`: how long the daemon may take to go down. */
const STOP_TIMEOUT_MS = 30_000;

async function waitFor(pred: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() > until) return false;
    await sleep(POLL_MS);
  }
}

export const serviceStop: Action = {
  params: z.strictObject({ container: tmpl, service: z.string().min(1), /** How long the daemon may take to go down (default 30s). */ timeout: duration.optional() }),
  example: { container: 'arne-msg', service: 'posta' },
  doc: {
    keys: '`container`, `service`, `timeout` (`30s`)',
    does: 'OpenRC `service NAME stop`, then checks the daemon is really down (within `timeout`)',
  },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- service ${planStr(p, 'service')} stop`],
  undo: { kind: 'none', reason: 'a stopped daemon is started again by a rollback step (service.start) the runbook names' },
  byHand: (p, ref) => [`incus exec ${refContainer(p, ref)} -- service ${String(p.service)} stop`],
  preflight: { checks: 'the legacy container whose daemon stops must be running before a cutover (legacy-not-running)' },
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
