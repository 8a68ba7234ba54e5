// What file.push, file.write (and the rollback's copy-back) share: a file written to a temp name inside the
// container and renamed into place (atomic), then checked by size, sha256, mode and owner; scratch and
// pre-change directories; the report fields of a written file.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ActionContext, ActionResult } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, moveIntoPlace, normaliseMode } from './inside.ts';
import { given, parseMode, parseOwner } from './params.ts';
import type { ResolvedStep } from '../engine/types.ts';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const safeName = (key: string) => key.replace(/[^a-zA-Z0-9-]/g, '_');

export async function scratchDir(ctx: ActionContext, step: ResolvedStep): Promise<string> {
  return mkdtemp(join(ctx.workDir, `${safeName(step.key)}-`));
}

/** The pre-change copy of a file.write target: a backup (0600, under the backups dir), not scratch. */
export async function previousDir(ctx: ActionContext, step: ResolvedStep): Promise<string> {
  const dir = join(ctx.backupDir, basename(ctx.workDir));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return mkdtemp(join(dir, `${safeName(step.key)}-`));
}

/** Push localPath to path in the container atomically and verify it landed as declared. */
/** `removeFirst`: paths removed in the rename's own exec, right before it (moveIntoPlace). */
export async function installFile(ctx: ActionContext, container: string, localPath: string, path: string, modeText: string, ownerText: string, beforeRename?: () => void, removeFirst: string[] = []) {
  const data = await readFile(localPath);
  const want = { size: data.length, sha: sha256Hex(data), mode: normaliseMode(modeText) };
  const owner = parseOwner(ownerText);
  const tmp = `${path}.cutover-tmp`;
  await ctx.runtime.pushFile(container, localPath, tmp, { mode: parseMode(modeText), uid: owner.uid, gid: owner.gid, createDirs: true });
  if (owner.uid === undefined) await execChecked(ctx, container, ['chown', owner.spec, tmp]);
  beforeRename?.();
  const facts = await moveIntoPlace(ctx, container, tmp, path, removeFirst);
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

/** The report fields of a file.push / file.write (WrittenFile in src/journal/events.ts). */
export function writtenFile(step: ResolvedStep, { changed: c = {}, details }: ActionResult): Record<string, unknown> {
  const d = (details ?? {}) as Record<string, unknown>;
  return { container: c.container, path: c.path, mode: d.mode, owner: given(step, 'owner', '0:0'), size: d.size, sha256: d.sha256 };
}

