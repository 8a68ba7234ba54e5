// CI smoke of `npm run bench`: one quick iteration of every figure so the bench cannot rot. Asserts only
// that each figure was measured together with its baseline, never goals or timings. Starts labs, Caddy and the
// cockpit in tmux on the lab's fixed ports: run under `flock /tmp/cutover-lab.lock`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.ts';

interface Doc {
  machine: { cpu: string; cores: number };
  quick: boolean;
  figures: { name: string; value: unknown; unit: unknown; baseline: unknown; baselineOf: unknown; ratio: unknown; goal: unknown; ok: unknown }[];
  pending: { name: string; why: string }[];
}

/** The bench in a process group of its own: on timeout the whole group goes (a hung group's Caddy or stand-in
 *  would otherwise hold the lab's ports for every later test). */
function bench(args: string[], timeoutMs = 480_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'run.ts'), ...args], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      // What the group is doing (state and kernel wait channel per process), for the failure message.
      const tree = spawnSync('ps', ['-o', 'pid,ppid,stat,wchan:24,etimes,args', '-g', String(child.pid)], { encoding: 'utf8', timeout: 5000 });
      stderr += `\n[test] bench still running after ${timeoutMs / 1000} s; its process group:\n${tree.stdout}${tree.stderr}`;
      stderr += `[test] SIGTERM to its process group\n`;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup('SIGKILL');
      resolve({ code, stdout, stderr });
    });
  });
}

/** Figures every run has (name prefixes). */
const EXPECTED = [
  'validate start',
  'cockpit first frame',
  'cockpit idle TTY output',
  'cockpit peak RSS',
  'smoke sweep 3 ids (',
  'smoke sweep 3 ids vs slowest probe',
  'smoke sweep 100 ids (',
  'smoke sweep 100 ids vs slowest probe',
  'smoke sweep 300 ids (',
  'smoke sweep 300 ids vs slowest probe',
  'smoke sweep 3 ids, 20 ms simulated RTT (',
  'smoke sweep 3 ids, 20 ms simulated RTT vs slowest probe',
  'token panel refresh',
  'archive throughput',
  'sqlite online backup',
  'lab cutover outage seen by clients',
  'lab cutover failed requests (seed order)',
  'lab cutover failed requests (hold)',
  'lab cutover longest request (hold)',
];

test('npm run bench -- --quick --json: every figure measured with its baseline, one JSON document, results.json written', async () => {
  const r = await bench(['--quick', '--json', '--group-timeout', '240']);
  assert.equal(r.code, 0, `bench exited ${r.code}:\n${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.equal(doc.quick, true);
  assert.ok(doc.machine.cores > 0 && doc.machine.cpu.length > 0);
  for (const prefix of EXPECTED) assert.ok(doc.figures.some((f) => f.name.startsWith(prefix)), `no figure "${prefix}…" in ${doc.figures.map((f) => f.name).join(', ')}`);
  for (const f of doc.figures) {
    assert.equal(typeof f.value, 'number', `${f.name}: value ${String(f.value)}`);
    assert.equal(typeof f.baseline, 'number', `${f.name}: baseline ${String(f.baseline)}`);
    assert.equal(typeof f.ratio, 'number', `${f.name}: ratio ${String(f.ratio)}`);
    assert.ok(typeof f.unit === 'string' && f.unit !== '', `${f.name}: unit`);
    assert.ok(typeof f.baselineOf === 'string' && f.baselineOf !== '', `${f.name}: what the baseline is`);
    assert.ok(f.goal === null || typeof f.goal === 'string', `${f.name}: goal`);
    assert.ok(f.ok === null || typeof f.ok === 'boolean', `${f.name}: ok`);
  }
  assert.deepEqual(doc.pending, [], 'no figure group is pending');
  assert.deepEqual(JSON.parse(readFileSync(join(REPO, 'bench', 'results.json'), 'utf8')), doc);
});

test('bench: an unknown --only group is refused with exit 2 and names the known ones', async () => {
  const r = await bench(['--quick', '--only', 'nonesuch']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown group nonesuch; known: start, cockpit, smoke/);
  assert.equal(r.stdout, '');
});

test('bench: an unknown option is one line on stderr and exit 2, no stack trace', async () => {
  const r = await bench(['--bogus']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^bench: Unknown option '--bogus'.*see npm run bench -- --help/);
  assert.equal(r.stdout, '');
});
