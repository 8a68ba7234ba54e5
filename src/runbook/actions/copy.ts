// copy: a file from one container to another through a private temp file, verified by size, sha256, mode
// and owner; SQLite files with their -wal/-shm (or online through sqlite3 .backup) and an integrity check.
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container, ownerFlags, str } from './plan-text.ts';

export const copy: ActionDescriptor = {
  params: z.strictObject({
    from_container: tmpl,
    from: absPath,
    to_container: tmpl,
    to: absPath,
    mode: mode.default('0600'),
    owner: owner.default('0:0'),
    /** SQLite file: copied with -wal/-shm, source daemon must be stopped, integrity_check after. */
    sqlite: z.boolean().default(false),
    /** SQLite only: copy while the source daemon runs, through `sqlite3 FROM .backup` in the source container (hold mode's copy ahead). */
    online: z.boolean().default(false),
    /** SQLite (not online): the daemon in from_container that must be stopped before the copy, and that a rollback's copy-back stops again. */
    source_service: z.string().min(1).default('posta'),
  }),
  example: { from_container: 'arne-msg', from: '/var/lib/posta/inbox.db', to_container: 'posta', to: '/var/lib/posta/arne/inbox.db', sqlite: true },
  plan: (p, rb) => {
    const from = container(p, rb, 'from_container');
    const to = container(p, rb, 'to_container');
    const files = p.sqlite && !p.online ? ['', '-wal', '-shm'] : [''];
    const online = p.sqlite && p.online ? [`incus exec ${from} -- sqlite3 ${str(p, 'from')} ".backup <tmp in ${from}>"   (online: the daemon keeps running)`] : [];
    return [
      ...online,
      ...files.map((sfx) => `incus file pull ${from}${str(p, 'from')}${sfx} <tmp>   ${sfx ? '(if present)' : ''}`.trimEnd()),
      ...files.map((sfx) => `incus file push <tmp> ${to}${str(p, 'to')}${sfx} --mode ${str(p, 'mode')} ${ownerFlags(str(p, 'owner'))}`),
      `verify size + sha256 + mode ${str(p, 'mode')} + owner ${str(p, 'owner')} of ${str(p, 'to')}`,
      ...(p.sqlite ? [`sqlite3 ${str(p, 'to')} 'PRAGMA integrity_check'${p.online ? '' : '   (source daemon must be stopped)'}`] : []),
    ];
  },
  undo: { kind: 'none', reason: 'the copy only adds to the target; the source is untouched, so the legacy side needs nothing back' },
  preflight: { checks: 'the source file can be read in its container (source-missing); the state dir and target have room for it (space-low)' },
};
