// container.start: start an instance (start-if-stopped).
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, refContainer } from './plan-text.ts';

export const containerStart: ActionDescriptor = {
  params: z.strictObject({ container: tmpl }),
  example: { container: 'arne-msg' },
  plan: (p, rb) => [`incus start ${container(p, rb)}`],
  undo: { kind: 'none', reason: 'a started container is stopped again by a rollback step (container.stop) the runbook names' },
  byHand: (p, ref) => [`incus start ${refContainer(p, ref)}`],
  preflight: { checks: 'the container exists or a container.create step makes it (container-missing)' },
};
