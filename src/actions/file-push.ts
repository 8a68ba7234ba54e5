// file.push: a file next to the runbook pushed into a container atomically (overwrite), verified by size, sha256,
// mode and owner.
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../runbook/schema.ts';
import { container, ownerFlags, q, str as planStr } from '../runbook/plan-text.ts';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Action } from './types.ts';
import { given, str } from './params.ts';
import { installFile, writtenFile } from './files.ts';

export const filePush: Action = {
  params: z.strictObject({ container: tmpl, source: z.string().min(1), path: absPath, mode: mode.default('0644'), owner: owner.default('0:0') }),
  example: { container: 'posta', source: 'files/posta', path: '/usr/local/bin/posta', mode: '0755' },
  doc: {
    keys: '`container`, `source` (relative to the runbook), `path`, `mode` (`0644`), `owner` (`0:0`)',
    does: '`incus file push`',
  },
  plan: (p, rb) => [`incus file push ${q(planStr(p, 'source'))} ${container(p, rb)}${planStr(p, 'path')} --mode ${planStr(p, 'mode')} ${ownerFlags(planStr(p, 'owner'))}`],
  undo: { kind: 'none', reason: 'no automatic undo: a rollback step the runbook names (a file.write of the old content, say) puts it back' },
  preflight: { none: 'the source is read from the runbook\'s directory when the step runs; the target container is checked like every other (container-missing)' },
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
