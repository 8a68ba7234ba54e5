// service.start: start a daemon inside a container and watch it stay up (and listening) for a settle time.
import { z } from 'zod';
import { duration, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, refContainer, str } from './plan-text.ts';

export const serviceStart: ActionDescriptor = {
  params: z.strictObject({
    container: tmpl,
    service: z.string().min(1),
    /** How long the after-start check watches the daemon (process, and `port` when given); default 1s. */
    settle: duration.optional(),
    /** TCP port the daemon must answer on (the container's IPv4) within 15 s, then keep listening on through the settle time. */
    port: z.number().int().min(1).max(65535).optional(),
  }),
  example: { container: 'posta', service: 'posta', port: 80 },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- service ${str(p, 'service')} start`],
  undo: { kind: 'none', reason: 'a started daemon is stopped again by a rollback step (service.stop) the runbook names' },
  byHand: (p, ref) => [`incus exec ${refContainer(p, ref)} -- service ${String(p.service)} start`],
  preflight: { none: 'the daemon is started after the outage opens; the container is checked like every other (container-missing)' },
};
