// file.push, file.write and dir.create: written to a temp name inside the container and renamed into
// place (atomic), then checked by size, sha256, mode and owner. file.write keeps the previous content
// so rollback = "auto" can put it back.
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { crashPoint } from '../crash-point.ts';
import { basename, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { ActionContext, ActionExecutor, ActionResult } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, exists, fileFacts, moveIntoPlace, normaliseMode, statFile } from './inside.ts';
import { given, parseMode, parseOwner, str } from './params.ts';
import type { ResolvedStep } from '../engine/types.ts';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const safeName = (key: string) => key.replace(/[^a-zA-Z0-9-]/g, '_');

async function scratchDir(ctx: ActionContext, step: ResolvedStep): Promise<string> {
  return mkdtemp(join(ctx.workDir, `${safeName(step.key)}-`));
}

/** The pre-change copy of a file.write target: a backup (0600, under the backups dir), not scratch. */
async function previousDir(ctx: ActionContext, step: ResolvedStep): Promise<string> {
  const dir = join(ctx.backupDir, basename(ctx.workDir));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return mkdtemp(join(dir, `${safeName(step.key)}-`));
}

/** Push localPath to path in the container atomically and verify it landed as declared. */
export async function installFile(ctx: ActionContext, container: string, localPath: string, path: string, modeText: string, ownerText: string, beforeRename?: () => void) {
  const data = await readFile(localPath);
  const want = { size: data.length, sha: sha256Hex(data), mode: normaliseMode(modeText) };
  const owner = parseOwner(ownerText);
  const tmp = `${path}.cutover-tmp`;
  await ctx.runtime.pushFile(container, localPath, tmp, { mode: parseMode(modeText), uid: owner.uid, gid: owner.gid, createDirs: true });
  if (owner.uid === undefined) await execChecked(ctx, container, ['chown', owner.spec, tmp]);
  beforeRename?.();
  const facts = await moveIntoPlace(ctx, container, tmp, path);
  if (!facts) throw new ActionError(`${container}:${path} is missing after the write`);
  const problems: string[] = [];
  if (facts.size !== want.size) problems.push(`size ${facts.size} B, expected ${want.size} B`);
  if (normaliseMode(facts.mode) !== want.mode) problems.push(`mode ${facts.mode}, expected ${want.mode}`);
  if (owner.uid !== undefined && (facts.uid !== owner.uid || facts.gid !== owner.gid)) problems.push(`owner ${facts.uid}:${facts.gid}, expected ${owner.uid}:${owner.gid}`);
  const got = facts.sha256;
  if (got !== want.sha) problems.push(`sha256 ${got.slice(0, 12)}…, expected ${want.sha.slice(0, 12)}…`);
  if (problems.length) throw new ActionError(`${container}:${path}: ${problems.join('; ')}`, { container, path });
  ctx.emit({ kind: 'output', line: `${basename(path)} ${want.size} B ${want.mode} sha256 ${want.sha.slice(0, 12)}… ok` });
  return { size: want.size, sha256: want.sha, mode: want.mode };
}

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

/** The report fields of a file.push / file.write (WrittenFile in src/journal/events.ts). */
function writtenFile(step: ResolvedStep, { changed: c = {}, details }: ActionResult): Record<string, unknown> {
  const d = (details ?? {}) as Record<string, unknown>;
  return { container: c.container, path: c.path, mode: d.mode, owner: given(step, 'owner', '0:0'), size: d.size, sha256: d.sha256 };
}

export const fileWrite: ActionExecutor = {
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
  async undo(step, changed, ctx) {
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
};

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
