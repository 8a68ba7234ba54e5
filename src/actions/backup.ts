// backup: archive paths of a container into the state dir through src/backup (class, sha256 manifest, 0600).
import { z } from 'zod';
import { absPath, tmpl } from '../runbook/schema.ts';
import { container, list, str as planStr } from '../runbook/plan-text.ts';
import { dirname, join } from 'node:path';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { str, strList } from './params.ts';
import { backupFiles } from '../backup/backup.ts';
import { parseClass } from '../backup/class-map.ts';

export const backup: Action = {
  params: z.strictObject({
    container: tmpl,
    paths: z.array(absPath).min(1),
    class: z.string().default('S'),
  }),
  example: { container: 'arne-msg', paths: ['/var/lib/posta'] },
  doc: {
    keys: '`container`, `paths`, `class` (`S`)',
    does: 'backup-before-apply of files / SQLite DBs (0600, manifest with sha256)',
  },
  plan: (p, rb) => [`backup ${container(p, rb)} ${list(p, 'paths').join(' ')} → <state dir>/backups (class ${planStr(p, 'class')}, sha256 manifest, 0600)`],
  undo: { kind: 'none', reason: 'read-only for the world: it writes an archive to the state dir, which is kept' },
  preflight: { checks: 'the state dir has room for the archives (space-low)' },
  readOnly: true,
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const paths = await strList(step, ctx, 'paths');
    const cls = parseClass(String(step.params.class ?? 'S'), `${step.key}.class`);
    ctx.emit({ kind: 'output', line: `back up ${container}: ${paths.join(' ')} → ${ctx.backupDir} (in-process, as cutover backup does)` });
    let res;
    try {
      res = await backupFiles({
        runtime: ctx.runtime,
        container,
        paths,
        dir: ctx.backupDir,
        module: container,
        class: cls,
        onProgress: (p) => ctx.emit({ kind: 'progress', message: `${p.phase} ${p.bytes} B`, done: p.bytes, ...(p.totalBytes ? { total: p.totalBytes } : {}) }),
      });
    } catch (err) {
      throw new ActionError(`backup of ${container}: ${(err as Error).message}`);
    }
    const file = res.manifest.files[0];
    if (!file) throw new ActionError(`backup of ${container}: the manifest lists no file`);
    const archive = join(dirname(res.manifestPath), file.name);
    ctx.emit({ kind: 'output', line: `${archive} ${file.size} B sha256 ${file.sha256.slice(0, 12)}…` });
    return {
      summary: `${container}: ${paths.length} path(s) → ${archive} (${file.size} B)`,
      changed: { container, paths, archive, size: file.size, sha256: file.sha256, manifest: res.manifestPath },
      backupPath: archive,
    };
  },
};
