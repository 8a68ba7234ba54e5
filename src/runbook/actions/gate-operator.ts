// gate.operator: a question put to the operator; the answer is journaled.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';
import { str, textLines } from './plan-text.ts';

export const gateOperator: ActionDescriptor = {
  params: z.strictObject({ prompt: z.string().min(1) }),
  example: { prompt: 'Go on?' },
  plan: (p) => [`operator confirms (recorded in the journal):`, ...textLines(str(p, 'prompt'))],
  undo: { kind: 'none', reason: 'a question: it changes nothing' },
  preflight: { none: 'a question for the operator: nothing to check before' },
  onceOnly: true,
  readOnly: true,
};
