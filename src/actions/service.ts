// service.stop / service.start / exec: with a post-check that the daemon is really down / up.
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, lastLines, serviceRunning, serviceSwitch, sleep } from './inside.ts';
import { str, strList } from './params.ts';

const POLL_MS = 100;
const STOP_TIMEOUT_MS = 10_000;
/** A daemon that dies right after start (bad manifest, crash) must not pass the post-check. */
const START_SETTLE_MS = 600;

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
    const { wasRunning } = await serviceSwitch(ctx, container, service, 'stop');
    const down = await waitFor(async () => !(await serviceRunning(ctx, container, service)), STOP_TIMEOUT_MS);
    if (!down) throw new ActionError(`${container}: ${service} still running ${STOP_TIMEOUT_MS / 1000}s after stop`, { container, service, wasRunning });
    return { summary: wasRunning ? `${service} stopped in ${container}` : `${service} was already stopped in ${container}`, changed: { container, service, wasRunning } };
  },
};

export const serviceStart: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const service = await str(step, ctx, 'service');
    const { wasRunning } = await serviceSwitch(ctx, container, service, 'start');
    await sleep(START_SETTLE_MS);
    if (!(await serviceRunning(ctx, container, service))) {
      const log = await ctx.runtime.exec(container, ['cat', '/var/log/posta.log']).catch(() => null);
      const tail = log && log.exitCode === 0 ? lastLines(log.stdout) : '';
      throw new ActionError(`${container}: ${service} is not running after start${tail ? ` (log: ${tail})` : ''}`, { container, service, wasRunning });
    }
    return { summary: wasRunning ? `${service} was already running in ${container}` : `${service} started in ${container}`, changed: { container, service, wasRunning } };
  },
};

export const exec: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const argv = await strList(step, ctx, 'argv');
    const expect = typeof step.params.expect_exit === 'number' ? step.params.expect_exit : 0;
    const r = await execChecked(ctx, container, argv, expect);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    return { summary: `${argv[0]} exited ${r.exitCode}${last ? `: ${last.slice(0, 80)}` : ''}`, changed: { container, argv } };
  },
};
