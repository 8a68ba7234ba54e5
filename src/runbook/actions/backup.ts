// backup: archive paths of a container into the state dir (class, sha256 manifest, 0600).
import { z } from 'zod';
import { absPath, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, list, str } from './plan-text.ts';

export const backup: ActionDescriptor = {
  params: z.strictObject({
    container: tmpl,
    paths: z.array(absPath).min(1),
    class: z.string().default('S'),
  }),
  example: { container: 'arne-msg', paths: ['/var/lib/posta'] },
  plan: (p, rb) => [`backup ${container(p, rb)} ${list(p, 'paths').join(' ')} → <state dir>/backups (class ${str(p, 'class')}, sha256 manifest, 0600)`],
  undo: { kind: 'none', reason: 'read-only for the world: it writes an archive to the state dir, which is kept' },
  preflight: { checks: 'the state dir has room for the archives (space-low)' },
  readOnly: true,
};
