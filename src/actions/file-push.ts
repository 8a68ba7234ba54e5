// file.push: the effect half of the action (descriptor: src/runbook/actions/file-push.ts). A file next to the
// runbook pushed into a container atomically, verified by size, sha256, mode and owner.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { ActionExecutor } from './types.ts';
import { given, str } from './params.ts';
import { installFile, writtenFile } from './files.ts';

export const filePush: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const source = await str(step, ctx, 'source');
    const path = await str(step, ctx, 'path');
    const local = isAbsolute(source) ? source : resolvePath(ctx.runbookDir, source);
    const facts = await installFile(ctx, container, local, path, String(step.params.mode ?? '0644'), String(step.params.owner ?? '0:0'));
    return { summary: `${path} ${facts.size} B ${facts.mode} sha256 ok`, changed: { container, path }, details: facts };
  },
  report: (step, result) => ({ ...writtenFile(step, result), source: given(step, 'source') }),
};
