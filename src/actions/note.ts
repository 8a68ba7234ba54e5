// note: text for the operator, recorded in the journal and the report. Changes nothing on the host.
import { z } from 'zod';
import { str as planStr, textLines } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { str } from './params.ts';

export const note: Action = {
  params: z.strictObject({ text: z.string() }),
  example: { text: 'The legacy containers stay stopped for a week.' },
  doc: {
    keys: '`text`',
    does: 'shows text; changes nothing',
  },
  plan: (p) => ['note for the operator (recorded in the journal and the report):', ...textLines(planStr(p, 'text'))],
  undo: { kind: 'none', reason: 'a note: it changes nothing' },
  preflight: { none: 'a note: nothing to check' },
  readOnly: true,
  async run(step, ctx) {
    const text = await str(step, ctx, 'text');
    for (const line of text.trim().split('\n')) ctx.emit({ kind: 'output', line });
    return { summary: text.trim().split('\n')[0] ?? '', details: { text } };
  },
};
