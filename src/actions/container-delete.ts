// container.delete: the irreversible end of a decommission. It archives the instance first (incus export, 0600,
// size + sha256) unless told not to, lifts the protection latch, deletes, and checks the instance is really gone.
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container, str as planStr } from '../runbook/plan-text.ts';
import { createReadStream } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Action } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { bool, str } from './params.ts';
import { compactTimestamp } from '../time.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const containerDelete: Action = {
  params: z.strictObject({
    container: tmpl,
    force: z.boolean().default(false),
    /** Export the instance to a 0600 tarball first (last off-ramp). */
    archive: z.boolean().default(true),
  }),
  example: { container: 'arne-msg' },
  doc: {
    keys: '`container`, `force` (false), `archive` (true)',
    does: 'export to a 0600 tarball first (with size + sha256), lift the protection, `incus delete --force`; irreversible',
  },
  plan: (p, rb) => {
    const c = container(p, rb);
    return [
      ...(p.archive !== false ? [`incus export ${c} <state dir>/${planStr(p, 'container')}-<now>.tar.gz   (archive, mode 0600)`] : []),
      `incus config set ${c} security.protection.delete=false   (only if set)`,
      `incus delete ${c}${p.force ? ' --force' : ''}`,
    ];
  },
  undo: { kind: 'none', reason: 'irreversible: a deleted container is gone; the archive (incus import) is the only way back' },
  preflight: { checks: 'the container exists (container-missing); the decommission gates (gate.stability, logs.review) run before it' },
  onceOnly: true,
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const force = bool(step, 'force', false);
    const before = await ctx.runtime.get(name);
    if (!before) return { summary: `${at} does not exist (already deleted)`, changed: { container: name, deleted: false, forced: force, statusBefore: null } };
    // Nothing (not even the export) happens before the operator typed the name: a wrong name changes nothing.
    const prompt = `Delete ${at} (${before.status}) and its disks for good? Type its name to go on.`;
    const confirmed = ctx.confirmTyped ? await ctx.confirmTyped(prompt, name) : await ctx.confirm(prompt);
    if (!confirmed) throw new ActionError(`${at}: not deleted: the deletion was not confirmed with the container's name`);
    let archive: { path: string; size: number; sha256: string } | undefined;
    if (bool(step, 'archive', true)) {
      const path = join(ctx.backupDir, `${name}-${compactTimestamp(new Date(ctx.now()))}.tar.gz`);
      await need(ctx.runtime, 'export').exportTo(name, path);
      await chmod(path, 0o600);
      archive = { path, size: (await stat(path)).size, sha256: await fileSha256(path) };
      ctx.emit({ kind: 'output', line: `archive ${path} ${archive.size} B 0600 sha256 ${archive.sha256}` });
    }
    const wasProtected = before.config['security.protection.delete'] === 'true';
    if (wasProtected) {
      await need(ctx.runtime, 'config').setConfig(name, 'security.protection.delete', 'false');
    }
    const changed = { container: name, forced: force, statusBefore: before.status, archive: archive?.path, archiveSize: archive?.size, archiveSha256: archive?.sha256, protectionLifted: wasProtected };
    try {
      await need(ctx.runtime, 'delete').delete(name, { force });
    } catch (err) {
      if (wasProtected) await need(ctx.runtime, 'config').setConfig(name, 'security.protection.delete', 'true').catch(() => undefined);
      throw new ActionError(`${at}: incus delete failed: ${(err as Error).message}${wasProtected ? ' (delete protection set again)' : ''}`, { ...changed, deleted: false });
    }
    const listed = (await ctx.runtime.list()).map((i) => i.name);
    if (listed.includes(name)) throw new ActionError(`${at}: still listed by incus list after delete`, { ...changed, deleted: false });
    return {
      summary: `${at} deleted${force ? ' (--force)' : ''}${archive ? `; archive ${archive.path} ${archive.size} B sha256 ${archive.sha256.slice(0, 12)}…` : ''}`,
      changed: { ...changed, deleted: true },
      details: { archive },
      backupPath: archive?.path,
    };
  },
};
