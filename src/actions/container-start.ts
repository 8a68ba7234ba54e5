// container.start: start an instance (start-if-stopped).
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container, refContainer } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { str } from './params.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const containerStart: Action = {
  params: z.strictObject({ container: tmpl }),
  example: { container: 'arne-msg' },
  doc: {
    keys: '`container`',
    does: '`incus start`',
  },
  plan: (p, rb) => [`incus start ${container(p, rb)}`],
  undo: { kind: 'none', reason: 'a started container is stopped again by a rollback step (container.stop) the runbook names' },
  byHand: (p, ref) => [`incus start ${refContainer(p, ref)}`],
  preflight: { checks: 'the container exists or a container.create step makes it (container-missing)' },
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const before = await ctx.runtime.get(name);
    if (!before) throw new ActionError(`${at}: no such instance`);
    if (before.status !== 'Running') await need(ctx.runtime, 'power').start(name);
    return { summary: `${at} running`, changed: { container: name, wasRunning: before.status === 'Running' } };
  },
};
