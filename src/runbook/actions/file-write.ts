// file.write: write given content to a path in a container; the previous content is kept for the undo.
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, ownerFlags, str } from './plan-text.ts';

export const fileWrite: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, path: absPath, content: z.string(), mode: mode.default('0644'), owner: owner.default('0:0') }),
  example: { container: 'posta', path: '/etc/init.d/posta', content: '#!/sbin/openrc-run\n', mode: '0755' },
  plan: (p, rb) => {
    const lines = String(p.content ?? '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).length;
    return [`incus file push - ${container(p, rb)}${str(p, 'path')} --mode ${str(p, 'mode')} ${ownerFlags(str(p, 'owner'))}   (${lines} lines; previous content kept for undo)`];
  },
  undo: {
    kind: 'auto',
    plan: (step) => `auto: restore the previous ${String(step.params.path)} (or remove it if it did not exist)`,
    byHand: (changed, step, ref) => {
      const c = changed as { container: string; path: string; previous?: { existed?: boolean; backupPath?: string } } | null;
      if (!c) return [`restore ${String(step.params.path)} (previous content not recorded)`];
      if (c.previous?.backupPath) return [`incus file push -p ${c.previous.backupPath} ${ref(c.container)}${c.path}`];
      return c.previous?.existed === false ? [`incus exec ${ref(c.container)} -- rm ${c.path}`] : [`restore ${c.path} in ${ref(c.container)} (no backup recorded)`];
    },
  },
  preflight: { none: 'nothing to read before the outage: the previous content is read (and kept for the undo) when the step runs' },
};
