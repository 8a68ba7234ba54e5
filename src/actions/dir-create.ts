// dir.create: make a directory in a container (install -d: create-if-missing; mode and owner set and checked).
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../runbook/schema.ts';
import { container, str as planStr } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, exists, normaliseMode, statFile } from './inside.ts';
import { given, str } from './params.ts';

export const dirCreate: Action = {
  params: z.strictObject({ container: tmpl, path: absPath, mode: mode.default('0750'), owner: owner.default('0:0') }),
  example: { container: 'posta', path: '/var/lib/posta/arne', owner: 'posta:posta' },
  doc: {
    keys: '`container`, `path`, `mode` (`0750`), `owner` (`0:0`)',
    does: '`install -d`',
  },
  plan: (p, rb) => {
    const [u, g] = planStr(p, 'owner').split(':');
    return [`incus exec ${container(p, rb)} -- install -d -m ${planStr(p, 'mode')} -o ${u} -g ${g ?? u} ${planStr(p, 'path')}`];
  },
  undo: { kind: 'none', reason: 'a created directory is left in place (it may hold what later steps put there); a rollback step can remove it' },
  preflight: { none: 'nothing to check before the outage beyond the container itself (container-missing)' },
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
