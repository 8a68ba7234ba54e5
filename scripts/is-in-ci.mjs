// Stands in for the `is-in-ci` package inside the bundle. Ink renders only the last frame when it thinks it
// runs in CI (logs, not a terminal), and it decides that from CI=… alone — so the cockpit stayed blank in a
// real terminal whenever CI was set (tmux e2e tests in CI, an operator's shell that exports CI). A terminal
// on stdout is a terminal: only without one does CI=… switch Ink to its log mode.
import { env, stdout } from 'node:process';

const check = (key) => key in env && env[key] !== '0' && env[key] !== 'false';

export default (check('CI') || check('CONTINUOUS_INTEGRATION')) && !stdout.isTTY;
