// gate.operator: the effect half of the action (descriptor: src/runbook/actions/gate-operator.ts). A question put
// to the operator; changes nothing on the host.
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { str } from './params.ts';

export const operatorGate: ActionExecutor = {
  async run(step, ctx) {
    const prompt = await str(step, ctx, 'prompt');
    if (!(await ctx.confirm(prompt))) throw new ActionError(`operator gate not passed: ${prompt}`);
    return { summary: `operator confirmed: ${prompt}`, changed: {} };
  },
};

