// Measures the cockpit at rest in tmux against a lab after a lab cutover: bytes written to the TTY over
// SECONDS s (tmux pipe-pane) and the node process's VmRSS / VmHWM, for the bundle (default) or tsx.
// Not a test (prints numbers). Run under the lab lock:
//   flock /tmp/cutover-lab.lock npx tsx test/e2e/measure-idle.ts [--tsx] [--seconds 30] [--watch] [--keep FILE]
// MEASURE_NODE_OPTIONS / MEASURE_MALLOC_ARENA_MAX are passed to the cockpit as NODE_OPTIONS / MALLOC_ARENA_MAX
// (e.g. a --require'd sampler of process.memoryUsage()). --keep FILE keeps the raw bytes the pane received.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labLayout } from '../../src/lab/layout.ts';
import { REPO, runCli } from '../helpers/cli.ts';
import { cockpitPid, fileSize, Tmux } from './tmux.ts';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 30) || 30;
const useTsx = args.includes('--tsx');
const command = args.includes('--watch') ? 'watch' : 'run';
const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
const RUNBOOK = 'runbooks/lab/posta-cutover.toml';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'cutover-measure-'));
const state = join(dir, 'state');
const env = { CUTOVER_LAB_DIR: join(dir, 'lab'), CUTOVER_INCUS: labLayout(join(dir, 'lab')).incus };
const x = new Tmux();
try {
  const up = await runCli(['lab', 'up', '--dir', env.CUTOVER_LAB_DIR], { env });
  if (up.code !== 0) throw new Error(up.stderr);
  const cut = await runCli(['apply', RUNBOOK, '--yes', '--allow-destructive', '--state', state], { env, timeoutMs: 300_000 });
  if (cut.code !== 0) throw new Error(cut.stdout + cut.stderr);
  const full: Record<string, string> = { ...env, USER: 'measure', TERM: 'xterm-256color', ...(process.env['MEASURE_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['MEASURE_NODE_OPTIONS'] } : {}), ...(process.env['MEASURE_MALLOC_ARENA_MAX'] ? { MALLOC_ARENA_MAX: process.env['MEASURE_MALLOC_ARENA_MAX'] } : {}) };
  let target: string;
  if (useTsx) {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const exports = Object.entries(full).map(([k, v]) => `${k}=${q(v)}`).join(' ');
    x.tmux('new-session', '-d', '-s', 'm', '-x', '120', '-y', '30', `cd ${q(REPO)} && env ${exports} npx tsx bin/cutover.ts ${command} ${RUNBOOK} --state ${q(state)}; sleep 600`);
    target = 'm:0';
  } else target = await x.session('m', 120, 30, [command, RUNBOOK, '--state', state], full);
  await x.waitFor(target, (text) => /3 Smoke [✓✗]/.test(text), 'the first panel snapshot', 60_000);
  await sleep(3000);
  const file = join(dir, 'tty');
  x.pipe(target, file);
  await sleep(seconds * 1000);
  x.unpipe(target);
  const bytes = fileSize(file);
  const pid = cockpitPid(x.pid(target)) ?? cockpitPid(Number(x.tmux('list-panes', '-t', target, '-F', '#{pane_pid}').trim()));
  const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  console.log(`${useTsx ? 'tsx' : 'bundle'} ${command}: idle ${bytes} B in ${seconds} s = ${(bytes / seconds).toFixed(0)} B/s; VmRSS ${kb('VmRSS').toFixed(1)} MiB, VmHWM ${kb('VmHWM').toFixed(1)} MiB (pid ${pid})`);
  if (keep) copyFileSync(file, keep);
} finally {
  x.kill();
  await runCli(['lab', 'down', '--dir', env.CUTOVER_LAB_DIR], { env });
  rmSync(dir, { recursive: true, force: true });
}
