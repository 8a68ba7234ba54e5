// dir.create: the effect half of the action (descriptor: src/runbook/actions/dir-create.ts). mkdir -p, mode and
// owner set and checked.
import { chmod, mkdir } from 'node:fs/promises';
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, exists, normaliseMode, statFile } from './inside.ts';
import { given, str } from './params.ts';

export const dirCreate: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const path = await str(step, ctx, 'path');
    const modeText = String(step.params.mode ?? '0750');
    const owner = String(step.params.owner ?? '0:0');
    const existed = await exists(ctx, container, path);
    await execChecked(ctx, container, ['mkdir', '-p', path]);
    await execChecked(ctx, container, ['chmod', modeText, path]);
    await execChecked(ctx, container, ['chown', owner, path]);
    const facts = await statFile(ctx, container, path);
    if (!facts) throw new ActionError(`${container}:${path} is missing after mkdir`);
    if (normaliseMode(facts.mode) !== normaliseMode(modeText)) throw new ActionError(`${container}:${path}: mode ${facts.mode}, expected ${normaliseMode(modeText)}`);
    return { summary: `${path}/ ${normaliseMode(modeText)} ${owner}${existed ? ' (existed)' : ''}`, changed: { container, path, existed } };
  },
  report: (step, { changed: c = {} }) => ({ container: c.container, path: c.path, mode: given(step, 'mode', '0750'), owner: given(step, 'owner', '0:0'), created: c.existed === false }),
};
