// container.create / stop / start / delete. Delete is irreversible: it archives the instance first
// (incus export, 0600, size + sha256) unless told not to, lifts the protection latch, deletes, and checks
// the instance is really gone.
import { createReadStream } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ActionExecutor } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { bool, given, str } from './params.ts';
import { compactTimestamp } from '../time.ts';
import { parseDuration } from '../engine/duration.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const containerCreate: ActionExecutor = {
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const image = await str(step, ctx, 'image');
    const profile = typeof step.params.profile === 'string' ? step.params.profile : 'default';
    const existing = await ctx.runtime.get(name);
    if (existing) {
      if (existing.status !== 'Running') await need(ctx.runtime, 'power').start(name);
      return { summary: `${at} exists (${existing.status}); left as it is`, changed: { container: name, created: false } };
    }
    await need(ctx.runtime, 'create').launch(name, image, { profile });
    const made = await ctx.runtime.get(name);
    if (!made) throw new ActionError(`${at}: not listed after launch`);
    return { summary: `${at} created from ${image} (${made.status}${made.ipv4 ? `, ${made.ipv4}` : ''})`, changed: { container: name, created: true } };
  },
  report: (step, { changed: c = {} }, extras) => ({ container: c.container, image: given(step, 'image'), profile: given(step, 'profile', 'default'), ipv4: extras.ipv4 ?? null }),
};

/** How long `incus stop` waits for a clean shutdown (runbook `timeout`, default 30 s). */
export const STOP_TIMEOUT_DEFAULT = '30s';

export const containerStop: ActionExecutor = {
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const before = await ctx.runtime.get(name);
    if (!before) throw new ActionError(`${at}: no such instance`);
    const wasRunning = before.status === 'Running';
    if (before.status === 'Stopped') return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
    if (bool(step, 'force', false)) {
      await need(ctx.runtime, 'power').stop(name, { force: true });
      return { summary: `${at} stopped (--force)`, changed: { container: name, wasRunning, forced: true } };
    }
    // Without --timeout real Incus waits for as long as the init ignores SIGPWR, and the instance stays busy
    // (config set/unset refused, file pull blocked) until then: so always a bounded clean stop first.
    const timeoutS = Math.max(1, Math.ceil(parseDuration(typeof step.params.timeout === 'string' ? step.params.timeout : STOP_TIMEOUT_DEFAULT) / 1000));
    try {
      await need(ctx.runtime, 'power').stop(name, { timeoutS });
      return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
    } catch (err) {
      const now = await ctx.runtime.get(name).catch(() => null);
      if (now?.status === 'Stopped') return { summary: `${at} stopped`, changed: { container: name, wasRunning } };
      const why = `${at} did not shut down within ${timeoutS} s of \`incus stop\` (its init ignores or is slow to answer the stop signal): ${(err as Error).message.split('\n')[0]}`;
      if (step.params.on_timeout !== 'force') {
        // Incus keeps its stop operation (it cannot be cancelled): the instance refuses config changes and file
        // calls ("busy") until it stops, which would leave the rollback incomplete. Only a forced stop ends it, so
        // the instance is forced down and started again: it runs as before the step, and nothing is wedged.
        ctx.emit({ kind: 'output', line: `${why}; Incus keeps the instance busy with the stop until it is forced: incus stop --force, then incus start, to leave it running as before` });
        await need(ctx.runtime, 'power').stop(name, { force: true });
        await need(ctx.runtime, 'power').start(name);
        throw new ActionError(
          `${why}. It was forced down and started again (Incus would otherwise keep it busy with the stop), so it is still Running; stop it by hand with \`incus stop --force ${at}\`, raise the step's timeout, or set on_timeout = "force"`,
          { container: name, wasRunning: true },
        );
      }
      ctx.emit({ kind: 'output', line: `${why}; on_timeout = "force": incus stop --force` });
      await need(ctx.runtime, 'power').stop(name, { force: true });
      return { summary: `${at} stopped (--force after ${timeoutS} s)`, changed: { container: name, wasRunning, forced: true } };
    }
  },
};

export const containerStart: ActionExecutor = {
  async run(step, ctx) {
    const name = await str(step, ctx, 'container');
    const at = instanceRef(ctx.runbook, name);
    const before = await ctx.runtime.get(name);
    if (!before) throw new ActionError(`${at}: no such instance`);
    if (before.status !== 'Running') await need(ctx.runtime, 'power').start(name);
    return { summary: `${at} running`, changed: { container: name, wasRunning: before.status === 'Running' } };
  },
};

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const containerDelete: ActionExecutor = {
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
