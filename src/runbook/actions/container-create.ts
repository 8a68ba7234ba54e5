// container.create: launch the target container from an image (create-if-missing).
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, str } from './plan-text.ts';

export const containerCreate: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, image: z.string().min(1), profile: z.string().default('default') }),
  example: { container: 'posta', image: 'images:alpine/3.20' },
  plan: (p, rb) => [`incus launch ${str(p, 'image')} ${container(p, rb)} --profile ${str(p, 'profile')}`],
  undo: { kind: 'none', reason: 'a created container is removed by a rollback step (container.delete) the runbook names' },
  preflight: { checks: 'a container it creates that already exists is reported (target-exists); containers no step creates must exist' },
};
