// note: the effect half of the action (descriptor: src/runbook/actions/note.ts). Changes nothing on the host.
import type { ActionExecutor } from './types.ts';
import { str } from './params.ts';

export const note: ActionExecutor = {
  async run(step, ctx) {
    const text = await str(step, ctx, 'text');
    for (const line of text.trim().split('\n')) ctx.emit({ kind: 'output', line });
    return { summary: text.trim().split('\n')[0] ?? '', details: { text } };
  },
};
