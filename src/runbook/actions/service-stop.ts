// service.stop: stop a daemon inside a container (stop-if-running, waits until it is down).
import { z } from 'zod';
import { duration, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, refContainer, str } from './plan-text.ts';

export const serviceStop: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, service: z.string().min(1), /** How long the daemon may take to go down (default 30s). */ timeout: duration.optional() }),
  example: { container: 'arne-msg', service: 'posta' },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- service ${str(p, 'service')} stop`],
  undo: { kind: 'none', reason: 'a stopped daemon is started again by a rollback step (service.start) the runbook names' },
  byHand: (p, ref) => [`incus exec ${refContainer(p, ref)} -- service ${String(p.service)} stop`],
  preflight: { checks: 'the legacy container whose daemon stops must be running before a cutover (legacy-not-running)' },
};
