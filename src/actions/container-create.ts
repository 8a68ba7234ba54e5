// container.create: launch the target container from an image (create-if-missing).
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container, str as planStr } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { given, str } from './params.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const containerCreate: Action = {
  params: z.strictObject({ container: tmpl, image: z.string().min(1), profile: z.string().default('default') }),
  example: { container: 'posta', image: 'images:alpine/3.20' },
  doc: {
    keys: '`container`, `image`, `profile` (`default`)',
    does: '`incus launch`; idempotent when it exists with the same config',
  },
  plan: (p, rb) => [`incus launch ${planStr(p, 'image')} ${container(p, rb)} --profile ${planStr(p, 'profile')}`],
  undo: { kind: 'none', reason: 'a created container is removed by a rollback step (container.delete) the runbook names' },
  preflight: { checks: 'a container it creates that already exists is reported (target-exists); containers no step creates must exist' },
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const image = await str(step, ctx, 'image');
    const profile = typeof step.params.profile === 'string' ? step.params.profile : 'default';
    const existing = await ctx.runtime.get(name);
    if (existing) {
      if (existing.status !== 'Running') await need(ctx.runtime, 'power').start(name);
      return { summary: `${at} exists (${existing.status}); left as it is`, changed: { container: name, created: false } };
    }
    await need(ctx.runtime, 'create').launch(name, image, { profile });
    const made = await ctx.runtime.get(name);
    if (!made) throw new ActionError(`${at}: not listed after launch`);
    return { summary: `${at} created from ${image} (${made.status}${made.ipv4 ? `, ${made.ipv4}` : ''})`, changed: { container: name, created: true } };
  },
  report: (step, { changed: c = {} }, extras) => ({ container: c.container, image: given(step, 'image'), profile: given(step, 'profile', 'default'), ipv4: extras.ipv4 ?? null }),
};
