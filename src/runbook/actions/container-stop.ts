// container.stop: stop an instance (clean stop with a timeout; --force on request or on timeout).
import { z } from 'zod';
import { duration, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, refContainer, str } from './plan-text.ts';

export const containerStop: ActionDescriptor = {
  params: z.strictObject({
    container: tmpl,
    force: z.boolean().default(false),
    /** How long `incus stop --timeout` waits for the init to shut down (default 30s; real Incus otherwise waits forever). */
    timeout: duration.optional(),
    /** When the clean stop times out: "fail" (default: a clear error, the instance running as before) or "force" (incus stop --force). */
    on_timeout: z.enum(['fail', 'force']).optional(),
  }),
  example: { container: 'arne-msg', timeout: '10s' },
  plan: (p, rb) => [`incus stop ${container(p, rb)}${p.force ? ' --force' : ` --timeout ${stopSeconds(str(p, 'timeout'))}${p.on_timeout === 'force' ? '   (then incus stop --force if it timed out)' : ''}`}`],
  undo: { kind: 'none', reason: 'a stopped container is started again by a rollback step (container.start) the runbook names' },
  byHand: (p, ref) => [`incus stop ${refContainer(p, ref)}`],
  preflight: { checks: 'the container exists; a legacy container must be running before a cutover (legacy-not-running)' },
};

/** container.stop's `timeout` ("30s", "2m", "500ms") in whole seconds, at least 1, as `incus stop --timeout` takes it. */
function stopSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text || '30s');
  if (!m) return 30;
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.max(1, Math.ceil(ms / 1000));
}
