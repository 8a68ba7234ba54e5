// note: text for the operator, recorded in the journal and the report.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';
import { str, textLines } from './plan-text.ts';

export const note: ActionDescriptor = {
  params: z.strictObject({ text: z.string() }),
  example: { text: 'The legacy containers stay stopped for a week.' },
  plan: (p) => ['note for the operator (recorded in the journal and the report):', ...textLines(str(p, 'text'))],
  undo: { kind: 'none', reason: 'a note: it changes nothing' },
  preflight: { none: 'a note: nothing to check' },
  readOnly: true,
};
