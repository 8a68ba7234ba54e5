// gate.operator: a question put to the operator; the answer is journaled. Changes nothing on the host.
import { z } from 'zod';
import { str as planStr, textLines } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { str } from './params.ts';

export const gateOperator: Action = {
  params: z.strictObject({ prompt: z.string().min(1) }),
  example: { prompt: 'Go on?' },
  doc: {
    keys: '`prompt`',
    does: 'waits for the operator (`apply --yes` answers it)',
  },
  plan: (p) => [`operator confirms (recorded in the journal):`, ...textLines(planStr(p, 'prompt'))],
  undo: { kind: 'none', reason: 'a question: it changes nothing' },
  preflight: { none: 'a question for the operator: nothing to check before' },
  onceOnly: true,
  readOnly: true,
  async run(step, ctx) {
    const prompt = await str(step, ctx, 'prompt');
    if (!(await ctx.confirm(prompt))) throw new ActionError(`operator gate not passed: ${prompt}`);
    return { summary: `operator confirmed: ${prompt}`, changed: {} };
  },
};
