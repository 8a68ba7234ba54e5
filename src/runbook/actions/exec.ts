// exec: run a command in a container and check its exit status.
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, list, q } from './plan-text.ts';

export const exec: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, argv: z.array(z.string()).min(1), expect_exit: z.number().int().default(0) }),
  example: { container: 'posta', argv: ['rc-update', 'add', 'posta'] },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- ${list(p, 'argv').map(q).join(' ')}${p.expect_exit ? `   (expect exit ${String(p.expect_exit)})` : ''}`],
  undo: { kind: 'none', reason: 'an arbitrary command: what it changed is unknown to cutover; a rollback step the runbook names undoes it' },
  preflight: { none: 'an arbitrary command: nothing can be judged before it runs beyond the container itself (container-missing)' },
  onceOnly: true,
};
