// gate.operator and note: steps that change nothing on the host.
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

export const note: ActionExecutor = {
  async run(step, ctx) {
    const text = await str(step, ctx, 'text');
    for (const line of text.trim().split('\n')) ctx.emit({ kind: 'output', line });
    return { summary: text.trim().split('\n')[0] ?? '', details: { text } };
  },
};
