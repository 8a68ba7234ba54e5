// Baseline kept as a 0600 JSON file in a 0700 state directory, written atomically (temp + rename).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Baseline, BaselineStore } from './baseline.ts';

export function fileBaselineStore(stateDir: string): BaselineStore {
  const file = join(stateDir, 'baseline.json');
  return {
    location: file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        const b = JSON.parse(text) as Baseline;
        if (!b || typeof b !== 'object' || typeof b.identities !== 'object') throw new Error('no "identities" object');
        return b;
      } catch (err) {
        throw new Error(`${file}: not a baseline (${(err as Error).message}); record it again with cutover status --baseline`);
      }
    },
    async save(baseline) {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(baseline, null, 2) + '\n', { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, file);
    },
  };
}
