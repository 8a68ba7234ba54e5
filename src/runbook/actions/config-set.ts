// config.set: set an instance config key; the previous value is kept for the undo.
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, q, str } from './plan-text.ts';

export const configSet: ActionDescriptor = {
  params: z.strictObject({ container: tmpl, key: z.string().min(1), value: z.string() }),
  example: { container: 'posta', key: 'boot.autostart', value: 'true' },
  plan: (p, rb) => [`incus config set ${container(p, rb)} ${str(p, 'key')}=${q(str(p, 'value'))}   (previous value kept for undo)`],
  undo: { kind: 'auto', plan: (step) => `auto: incus config set ${String(step.params.container)} ${String(step.params.key)} back to its previous value` },
  preflight: { none: 'the previous value is read (and kept for the undo) when the step runs' },
};
