// npm run bench [-- --quick] [-- --json] [-- --only NAME,…] [-- --group-timeout SECONDS]
// Every figure measured against its baseline in the same run; a table on stdout (or, with --json, one JSON
// document on stdout and progress on stderr); results in bench/results.json. Loopback only; the smoke sweep
// uses the lab's fixed Caddy ports, so run it under `flock /tmp/cutover-lab.lock npm run bench`.
// Exit 0 when every figure was measured (goals are reported, never enforced), 1 otherwise.
import { renameSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { archiveThroughput } from './archive.ts';
import { cockpitFigures } from './cockpit.ts';
import { Pending, unmeasured, type BenchContext, type Figure, type FigureFn } from './lib.ts';
import { describeMachine, machine } from './machine.ts';
import { outageFigures } from './outage.ts';
import { holdFigures } from './hold.ts';
import { smokeSweep } from './smoke-sweep.ts';
import { sqliteBackup } from './sqlite-backup.ts';
import { formatNotes, formatTable } from './table.ts';
import { tokenPanel } from './tokens.ts';
import { validateStart } from './start.ts';

const GROUPS: { name: string; fn: FigureFn }[] = [
  { name: 'start', fn: validateStart },
  { name: 'cockpit', fn: cockpitFigures },
  { name: 'smoke', fn: smokeSweep },
  { name: 'tokens', fn: tokenPanel },
  { name: 'archive', fn: archiveThroughput },
  { name: 'sqlite', fn: sqliteBackup },
  { name: 'outage', fn: outageFigures },
  { name: 'hold', fn: holdFigures },
];

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' }, 'group-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}; see npm run bench -- --help\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      [
        'npm run bench [-- OPTIONS]: every figure measured against its baseline in the same run; results in bench/results.json.',
        '  --quick               one short iteration of every figure (what CI runs)',
        '  --json                one JSON document on stdout, progress on stderr',
        `  --only NAME,…         only these groups: ${GROUPS.map((g) => g.name).join(', ')}`,
        '  --group-timeout S     end with exit 1, naming the group, when one group runs longer than S seconds',
        'Exit 0 when every figure was measured (goals are reported, never enforced), 1 otherwise, 2 on bad options.',
        '',
      ].join('\n'),
    );
    return 0;
  }
  const groupTimeoutS = values['group-timeout'] === undefined ? null : Number(values['group-timeout']);
  if (groupTimeoutS !== null && !(groupTimeoutS > 0)) {
    process.stderr.write(`bench: --group-timeout wants seconds > 0, got ${JSON.stringify(values['group-timeout'])}\n`);
    return 2;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((o) => !GROUPS.some((g) => g.name === o));
  if (unknown?.length) {
    process.stderr.write(`bench: unknown group ${unknown.join(', ')}; known: ${GROUPS.map((g) => g.name).join(', ')}\n`);
    return 2;
  }
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'cutover-bench-'));
  const log = (s: string) => process.stderr.write(`bench: ${s} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  const ctx: BenchContext = { quick: Boolean(values.quick), tmp, repo, log };
  let running: string | null = null;
  process.once('SIGTERM', () => {
    log(`terminated${running ? ` while the ${running} group ran` : ''}`);
    process.exit(143);
  });
  // The cockpit group starts and kills tmux sessions: a hangup that reaches this process must not end the run
  // silently (twice the bench went quiet right after that group, its pipes held open by a grandchild).
  process.on('SIGHUP', () => log(`SIGHUP ignored${running ? ` while the ${running} group ran` : ''}`));
  process.once('exit', (code) => {
    if (code !== 0) log(`exiting with ${code}${running ? ` while the ${running} group ran` : ''}`);
  });
  const figures: Figure[] = [];
  const pending: { name: string; why: string }[] = [];
  try {
    await buildBundle(repo);
    log('built dist/cutover.mjs');
    for (const g of GROUPS) {
      if (only && !only.includes(g.name)) continue;
      running = g.name;
      // A group that never returns would otherwise hang the run silently: say which one, then end with 1.
      const watchdog = groupTimeoutS === null ? null : setTimeout(() => {
        log(`${g.name} still running after ${groupTimeoutS} s; giving up (the last line above is the last thing it finished)`);
        process.exit(1);
      }, groupTimeoutS * 1000);
      try {
        figures.push(...(await g.fn(ctx)));
      } catch (err) {
        if (err instanceof Pending) pending.push({ name: g.name, why: err.message });
        else figures.push(unmeasured(g.name, '', '—', null, `failed: ${(err as Error).message.split('\n')[0]}`));
      }
      if (watchdog) clearTimeout(watchdog);
      log(`${g.name} done`);
    }
    running = null;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const m = machine();
  const doc = { machine: m, quick: ctx.quick, startedAt: new Date(started).toISOString(), durationS: Math.round((Date.now() - started) / 100) / 10, figures, pending };
  const out = join(repo, 'bench', 'results.json');
  writeFileSync(out + '.tmp', JSON.stringify(doc, null, 2) + '\n');
  renameSync(out + '.tmp', out);
  if (values.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else {
    process.stdout.write(`cutover bench${ctx.quick ? ' (--quick)' : ''} on ${describeMachine(m)}, ${doc.durationS} s\n\n`);
    process.stdout.write(formatTable(figures, pending) + '\n' + formatNotes(figures));
  }
  return figures.every((f) => f.value !== null && f.baseline !== null) ? 0 : 1;
}

/** The shipped single file, rebuilt from this checkout (temp name then rename: tests may be reading it). */
async function buildBundle(repo: string): Promise<void> {
  const { buildOptions } = (await import(join(repo, 'scripts', 'build-options.mjs'))) as { buildOptions: (dir: string) => Record<string, unknown> };
  const tmp = join(repo, 'dist', `.cutover-bench-${process.pid}.mjs`);
  await build({ ...buildOptions(repo), outfile: tmp, logLevel: 'error' });
  renameSync(tmp, join(repo, 'dist', 'cutover.mjs'));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
