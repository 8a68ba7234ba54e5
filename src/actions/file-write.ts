// file.write: write given content to a path in a container. The previous content is kept (0600, journaled as
// intent before the write) so the undo can put it back, decided from what the file holds now.
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../runbook/schema.ts';
import { container, ownerFlags, str as planStr } from '../runbook/plan-text.ts';
import { createTwoFilesPatch } from 'diff';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { crashPoint } from '../crash-point.ts';
import { join } from 'node:path';
import type { Action } from './types.ts';
import { execChecked, exists, fileFacts } from './inside.ts';
import { given, str } from './params.ts';
import { installFile, previousDir, scratchDir, sha256Hex, writtenFile } from './files.ts';

export const fileWrite: Action = {
  params: z.strictObject({ container: tmpl, path: absPath, content: z.string(), mode: mode.default('0644'), owner: owner.default('0:0') }),
  example: { container: 'posta', path: '/etc/init.d/posta', content: '#!/sbin/openrc-run\n', mode: '0755' },
  doc: {
    keys: '`container`, `path`, `content` (templated), `mode` (`0644`), `owner` (`0:0`)',
    does: 'atomic write inside the container (temp + rename), previous content kept for undo',
  },
  plan: (p, rb) => {
    const lines = String(p.content ?? '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).length;
    return [`incus file push - ${container(p, rb)}${planStr(p, 'path')} --mode ${planStr(p, 'mode')} ${ownerFlags(planStr(p, 'owner'))}   (${lines} lines; previous content kept for undo)`];
  },
  undo: {
    kind: 'auto',
    plan: (step) => `auto: restore the previous ${String(step.params.path)} (or remove it if it did not exist)`,
    byHand: (changed, step, ref) => {
      const c = changed as { container: string; path: string; previous?: { existed?: boolean; backupPath?: string } } | null;
      if (!c) return [`restore ${String(step.params.path)} (previous content not recorded)`];
      if (c.previous?.backupPath) return [`incus file push -p ${c.previous.backupPath} ${ref(c.container)}${c.path}`];
      return c.previous?.existed === false ? [`incus exec ${ref(c.container)} -- rm ${c.path}`] : [`restore ${c.path} in ${ref(c.container)} (no backup recorded)`];
    },
    fromIntent: (i) => ({ container: i.container, path: i.path, previous: { existed: typeof i.previous === 'string', ...(typeof i.previous === 'string' ? { backupPath: i.previous } : {}) } }),
    async run(step, changed, ctx) {
      if (typeof changed.container !== 'string' || typeof changed.path !== 'string') return { summary: 'no file write was journaled (the step never reached it): nothing to undo' };
      const container = changed.container;
      const path = changed.path;
      // From the world: what the file holds now against the journaled previous content.
      const now = (await fileFacts(ctx, container, [path])).get(path) ?? null;
      if (typeof changed.previous === 'string') {
        const want = typeof changed.previousSha === 'string' ? changed.previousSha : sha256Hex(await readFile(changed.previous));
        if (now?.sha256 === want) return { summary: `${path} holds its previous content (sha256 ${want.slice(0, 12)}…): nothing to undo` };
        await installFile(ctx, container, changed.previous, path, String(step.params.mode ?? '0644'), String(step.params.owner ?? '0:0'));
        return { summary: `${path} restored to its previous content (sha256 ${want.slice(0, 12)}…)` };
      }
      await execChecked(ctx, container, ['rm', '-f', path, `${path}.cutover-tmp`]);
      return { summary: now ? `${path} removed (did not exist before)` : `${path} absent, as before: nothing to undo` };
    },
  },
  preflight: { none: 'nothing to read before the outage: the previous content is read (and kept for the undo) when the step runs' },
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const path = await str(step, ctx, 'path');
    const content = await str(step, ctx, 'content');
    let previous: string | null = null;
    let previousSha: string | null = null;
    if (await exists(ctx, container, path)) {
      previous = join(await previousDir(ctx, step), 'previous');
      await ctx.runtime.pullFile(container, path, previous);
      await chmod(previous, 0o600);
      previousSha = sha256Hex(await readFile(previous));
    }
    // Intent before effect: the previous content's copy and sum are journaled before the file is touched.
    ctx.intend?.({ container, path, previous, previousSha });
    const dir = await scratchDir(ctx, step);
    const next = join(dir, 'next');
    await writeFile(next, content, { mode: 0o600 });
    let facts;
    try {
      facts = await installFile(ctx, container, next, path, String(step.params.mode ?? '0644'), String(step.params.owner ?? '0:0'), () => crashPoint('file.write:before-rename', step.key));
    } finally {
      // The scratch copy of the new content is not kept once the push is done (it may hold secrets).
      await rm(dir, { recursive: true, force: true });
    }
    crashPoint('file.write:after-rename', step.key);
    return { summary: `${path} written (${facts.size} B ${facts.mode})`, changed: { container, path, previous, previousSha }, details: facts };
  },
  report: (step, result) => ({ ...writtenFile(step, result), content: given(step, 'content'), previous: { existed: typeof result.changed?.previous === 'string' } }),
  /** The content diff against what the container holds now. */
  async preview(step, { runtime, resolve }) {
    const container = await resolve(String(step.params['container'] ?? ''));
    const path = await resolve(String(step.params['path'] ?? ''));
    const content = await resolve(String(step.params['content'] ?? ''));
    const instance = await runtime.get(container);
    if (!instance) return `(${container} not created yet: the whole file is new)\n${createTwoFilesPatch(path, path, '', content, 'absent', 'written', { context: 3 })}`;
    const now = await runtime.exec(container, ['cat', path]);
    const old = now.exitCode === 0 ? now.stdout : '';
    if (old === content) return `(${container}:${path} already has this content)`;
    const label = now.exitCode === 0 ? `${container} now` : `absent in ${container}`;
    return createTwoFilesPatch(path, path, old, content, label, 'written', { context: 3 });
  },
};
