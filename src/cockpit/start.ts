// What `run` and `watch` do before their first frame, the same for both: a terminal on both ends, the lean
// heap, the refresh interval, the validated runbook — everything the first frame is built from.
import { CliError, type CliIO } from '../contract/io.ts';

export async function prepareCockpit(command: 'run' | 'watch', file: string, io: CliIO, interval: string | undefined, loadPrefix: string) {
  const { requireTty, mountCockpit, leanHeap } = await import('./terminal.tsx');
  requireTty(io, command, file);
  leanHeap();
  const { parseInterval, initialStore } = await import('./store-init.ts');
  let intervalS: number;
  try {
    intervalS = parseInterval(interval);
  } catch (err) {
    throw new CliError(`${command}: ${(err as Error).message}`, 'bad-input');
  }
  const { loadCockpitRunbook } = await import('./load.ts');
  const loaded = loadCockpitRunbook(file, io.env, loadPrefix);
  return { mountCockpit, initialStore, intervalS, loaded };
}
