// Test-only crash hook: CUTOVER_TEST_CRASH_AT=NAME (or NAME@STEP_KEY) makes the process SIGKILL itself at
// that named point, so the crash-point tests can kill a driver exactly between a write and what follows it
// (kill -9 from outside can only guess the moment). Unset (always, outside the tests) it does nothing.
//
// Points: after-step@KEY (a step boundary: the step's result is journaled), repoint:before-write (backup
// taken and intent journaled, Caddyfile not yet written), repoint:after-write (written, not reloaded),
// repoint:after-reload (reloaded, not confirmed or journaled), file.write:before-rename (temp file pushed,
// not renamed), file.write:after-rename, config.set:before-set, config.set:after-set, release:before-write,
// release:after-write, release:after-reload (hold mode's proxy.release, like the repoint's), group-started@KEY
// (a parallel step: every expansion journaled running, none has acted yet; KEY is the first expansion's).
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function crashPoint(name: string, stepKey?: string, env: NodeJS.ProcessEnv = process.env): void {
  const want = env.CUTOVER_TEST_CRASH_AT;
  if (!want) return;
  if (want === name || (stepKey !== undefined && want === `${name}@${stepKey}`)) process.kill(process.pid, 'SIGKILL');
}

/**
 * Test-only: CUTOVER_TEST_FILL_AT=NAME (or NAME@STEP_KEY) fills the file system holding `dir` (the state dir,
 * mounted as a small tmpfs by the test) at that point, so the journal's next write finds the disk full.
 */
export function fillPoint(name: string, stepKey: string | undefined, dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const want = env.CUTOVER_TEST_FILL_AT;
  if (!want || !(want === name || (stepKey !== undefined && want === `${name}@${stepKey}`))) return;
  const fd = openSync(join(dir, '.test-fill'), 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
    // The last bytes a 64 KiB chunk did not fit in.
    try {
      for (;;) writeSync(fd, chunk, 0, 512);
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
}
