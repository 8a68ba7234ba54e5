// file.push: copy a file from the runbook's directory into a container (overwrite and verify).
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, ownerFlags, q, str } from './plan-text.ts';

export const filePush: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, source: z.string().min(1), path: absPath, mode: mode.default('0644'), owner: owner.default('0:0') }),
  example: { container: 'posta', source: 'files/posta', path: '/usr/local/bin/posta', mode: '0755' },
  plan: (p, rb) => [`incus file push ${q(str(p, 'source'))} ${container(p, rb)}${str(p, 'path')} --mode ${str(p, 'mode')} ${ownerFlags(str(p, 'owner'))}`],
  undo: { kind: 'none', reason: 'no automatic undo: a rollback step the runbook names (a file.write of the old content, say) puts it back' },
  preflight: { none: 'the source is read from the runbook\'s directory when the step runs; the target container is checked like every other (container-missing)' },
};
