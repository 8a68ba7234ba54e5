// container.delete: the irreversible end of a decommission (archive first by default).
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, str } from './plan-text.ts';

export const containerDelete: ActionDescriptor = {
  params: z.strictObject({
    container: tmpl,
    force: z.boolean().default(false),
    /** Export the instance to a 0600 tarball first (last off-ramp). */
    archive: z.boolean().default(true),
  }),
  example: { container: 'arne-msg' },
  plan: (p, rb) => {
    const c = container(p, rb);
    return [
      ...(p.archive !== false ? [`incus export ${c} <state dir>/${str(p, 'container')}-<now>.tar.gz   (archive, mode 0600)`] : []),
      `incus config set ${c} security.protection.delete=false   (only if set)`,
      `incus delete ${c}${p.force ? ' --force' : ''}`,
    ];
  },
  undo: { kind: 'none', reason: 'irreversible: a deleted container is gone; the archive (incus import) is the only way back' },
  preflight: { checks: 'the container exists (container-missing); the decommission gates (gate.stability, logs.review) run before it' },
  onceOnly: true,
};
