// `lab up` builds new instances: the lab runbooks' state (journal, baseline, backups) belongs to the old ones.
// It is retired, not deleted: the directory is renamed to `<name>.retired-<time>`, a note goes into its journal
// (and a RETIRED.txt beside it), so a new cockpit starts a new run instead of resuming the old one on new instances.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE, openJournal } from '../journal/index.ts';
import { defaultStateDir } from '../paths.ts';

/** The names (runbook.name) of the lab runbooks whose default state dirs belong to the lab's instances. */
export const LAB_RUNBOOK_NAMES = ['posta-multitenant-cutover-lab', 'lab-posta-decommission'] as const;

export interface Retired {
  from: string;
  to: string;
  runs: number;
}

export function retireLabState(env: Record<string, string | undefined>, labDir: string, now = new Date()): Retired[] {
  const out: Retired[] = [];
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  for (const name of LAB_RUNBOOK_NAMES) {
    let dir: string;
    try {
      dir = defaultStateDir(env, name);
    } catch {
      continue;
    }
    if (!existsSync(dir)) continue;
    const why = `retired by \`cutover lab up\` at ${now.toISOString()}: a new lab was built in ${labDir}; this state belongs to the previous lab's instances`;
    let runs = 0;
    if (existsSync(join(dir, JOURNAL_FILE))) {
      const j = openJournal({ stateDir: dir, env });
      try {
        const all = j.runs();
        runs = all.length;
        const last = all.at(-1);
        if (last) j.addNote(last.id, why);
      } finally {
        j.close();
      }
    }
    writeFileSync(join(dir, 'RETIRED.txt'), why + '\n', { mode: 0o600 });
    const to = `${dir}.retired-${stamp}`;
    renameSync(dir, to);
    out.push({ from: dir, to, runs });
  }
  return out;
}
