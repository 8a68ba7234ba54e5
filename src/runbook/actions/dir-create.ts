// dir.create: make a directory in a container (install -d: create-if-missing, mode and owner set).
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, str } from './plan-text.ts';

export const dirCreate: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, path: absPath, mode: mode.default('0750'), owner: owner.default('0:0') }),
  example: { container: 'posta', path: '/var/lib/posta/arne', owner: 'posta:posta' },
  plan: (p, rb) => {
    const [u, g] = str(p, 'owner').split(':');
    return [`incus exec ${container(p, rb)} -- install -d -m ${str(p, 'mode')} -o ${u} -g ${g ?? u} ${str(p, 'path')}`];
  },
  undo: { kind: 'none', reason: 'a created directory is left in place (it may hold what later steps put there); a rollback step can remove it' },
  preflight: { none: 'nothing to check before the outage beyond the container itself (container-missing)' },
};
