// container.stop: stop an instance (clean stop with a timeout; --force on request or on timeout).
import { z } from 'zod';
import { duration, tmpl } from '../runbook/schema.ts';
import { container, refContainer, str as planStr } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { bool, str } from './params.ts';
import { parseDuration } from '../engine/duration.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

/** How long `incus stop` waits for a clean shutdown (runbook `timeout`, default 30 s). */
export const STOP_TIMEOUT_DEFAULT = '30s';

/** container.stop's `timeout` ("30s", "2m", "500ms") in whole seconds, at least 1, as `incus stop --timeout` takes it. */
function stopSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text || '30s');
  if (!m) return 30;
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.max(1, Math.ceil(ms / 1000));
}

export const containerStop: Action = {
  params: z.strictObject({
    container: tmpl,
    force: z.boolean().default(false),
    /** How long `incus stop --timeout` waits for the init to shut down (default 30s; real Incus otherwise waits forever). */
    timeout: duration.optional(),
    /** When the clean stop times out: "fail" (default: a clear error, the instance running as before) or "force" (incus stop --force). */
    on_timeout: z.enum(['fail', 'force']).optional(),
  }),
  example: { container: 'arne-msg', timeout: '10s' },
  doc: {
    keys: '`container`, `force` (false), `timeout` (`30s`), `on_timeout` (`fail` | `force`)',
    does: '`incus stop --timeout`: real Incus otherwise waits as long as the init ignores the stop signal, and the busy instance refuses config changes meanwhile; when the timeout passes the step fails with the instance still running (`fail`) or kills it with `incus stop --force` (`force`)',
  },
  plan: (p, rb) => [`incus stop ${container(p, rb)}${p.force ? ' --force' : ` --timeout ${stopSeconds(planStr(p, 'timeout'))}${p.on_timeout === 'force' ? '   (then incus stop --force if it timed out)' : ''}`}`],
  undo: { kind: 'none', reason: 'a stopped container is started again by a rollback step (container.start) the runbook names' },
  byHand: (p, ref) => [`incus stop ${refContainer(p, ref)}`],
  preflight: { checks: 'the container exists; a legacy container must be running before a cutover (legacy-not-running)' },
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const before = await ctx.runtime.get(name);
    if (!before) throw new ActionError(`${at}: no such instance`);
    const wasRunning = before.status === 'Running';
    if (before.status === 'Stopped') return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
    if (bool(step, 'force', false)) {
      await need(ctx.runtime, 'power').stop(name, { force: true });
      return { summary: `${at} stopped (--force)`, changed: { container: name, wasRunning, forced: true } };
    }
    // Without --timeout real Incus waits for as long as the init ignores SIGPWR, and the instance stays busy
    // (config set/unset refused, file pull blocked) until then: so always a bounded clean stop first.
    const timeoutS = Math.max(1, Math.ceil(parseDuration(typeof step.params.timeout === 'string' ? step.params.timeout : STOP_TIMEOUT_DEFAULT) / 1000));
    try {
      await need(ctx.runtime, 'power').stop(name, { timeoutS });
      return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
    } catch (err) {
      const now = await ctx.runtime.get(name).catch(() => null);
      if (now?.status === 'Stopped') return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
      const why = `${at} did not shut down within ${timeoutS} s of \`incus stop\` (its init ignores or is slow to answer the stop signal): ${(err as Error).message.split('\n')[0]}`;
      if (step.params.on_timeout !== 'force') {
        // Incus keeps its stop operation (it cannot be cancelled): the instance refuses config changes and file
        // calls ("busy") until it stops, which would leave the rollback incomplete. Only a forced stop ends it, so
        // the instance is forced down and started again: it runs as before the step, and nothing is wedged.
        ctx.emit({ kind: 'output', line: `${why}; Incus keeps the instance busy with the stop until it is forced: incus stop --force, then incus start, to leave it running as before` });
        await need(ctx.runtime, 'power').stop(name, { force: true });
        await need(ctx.runtime, 'power').start(name);
        throw new ActionError(
          `${why}. It was forced down and started again (Incus would otherwise keep it busy with the stop), so it is still Running; stop it by hand with \`incus stop --force ${at}\`, raise the step's timeout, or set on_timeout = "force"`,
          { container: name, wasRunning: true },
        );
      }
      ctx.emit({ kind: 'output', line: `${why}; on_timeout = "force": incus stop --force` });
      await need(ctx.runtime, 'power').stop(name, { force: true });
      return { summary: `${at} stopped (--force after ${timeoutS} s)`, changed: { container: name, wasRunning, forced: true } };
    }
  },
};
