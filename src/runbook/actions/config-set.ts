// config.set: set an instance config key; the previous value is kept for the undo.
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, q, refContainer, str } from './plan-text.ts';

export const configSet: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, key: z.string().min(1), value: z.string() }),
  example: { container: 'posta', key: 'boot.autostart', value: 'true' },
  plan: (p, rb) => [`incus config set ${container(p, rb)} ${str(p, 'key')}=${q(str(p, 'value'))}   (previous value kept for undo)`],
  undo: {
    kind: 'auto',
    plan: (step) => `auto: incus config set ${String(step.params.container)} ${String(step.params.key)} back to its previous value`,
    byHand: (changed, step, ref) => {
      const c = changed as { container: string; key: string; from: string | null } | null;
      if (!c) return [`restore ${String(step.params.key)} on ${ref(String(step.params.container))} (previous value not recorded)`];
      return [c.from === null ? `incus config unset ${ref(c.container)} ${c.key}` : `incus config set ${ref(c.container)} ${c.key}=${c.from}`];
    },
  },
  byHand: (p, ref) => [`incus config set ${refContainer(p, ref)} ${String(p.key)}=${String(p.value)}`],
  preflight: { none: 'the previous value is read (and kept for the undo) when the step runs' },
};
