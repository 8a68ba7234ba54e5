// Test-only crash hook: CUTOVER_TEST_CRASH_AT=NAME (or NAME@STEP_KEY) makes the process SIGKILL itself at
// that named point, so the crash-point tests can kill a driver exactly between a write and what follows it
// (kill -9 from outside can only guess the moment). Unset (always, outside the tests) it does nothing.
//
// Points: after-step@KEY (a step boundary: the step's result is journaled), repoint:before-write (backup
// taken and intent journaled, Caddyfile not yet written), repoint:after-write (written, not reloaded),
// repoint:after-reload (reloaded, not confirmed or journaled), file.write:before-rename (temp file pushed,
// not renamed), file.write:after-rename, config.set:before-set, config.set:after-set.
export function crashPoint(name: string, stepKey?: string, env: NodeJS.ProcessEnv = process.env): void {
  const want = env.CUTOVER_TEST_CRASH_AT;
  if (!want) return;
  if (want === name || (stepKey !== undefined && want === `${name}@${stepKey}`)) process.kill(process.pid, 'SIGKILL');
}
