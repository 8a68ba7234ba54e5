// Cockpit figures, in a private tmux server at 120×30 on a throwaway lab (`cutover run` of the lab cutover
// runbook, a fresh --state per start, nothing run, quit with q):
// - start → first frame (header and bottom border on screen, capture-pane polled every 10 ms), median of
//   several starts, alternated with a bare Ink "hello" bundle started the same way;
// - bytes the idle cockpit writes to its terminal per second (tmux pipe-pane) while its panels refresh
//   every 2 s and the clock ticks, against the same cockpit bundle with Ink's incremental rendering off
//   (every changed frame redrawn in full);
// - the cockpit's peak RSS (VmHWM) at the end of that idle window, against the Ink "hello"'s.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { requireCommand } from './available.ts';
import { buildFullRedrawCockpit, buildInkHello } from './bundles.ts';
import { labUp } from './lab.ts';
import { figure, mb, median, type BenchContext, type Figure } from './lib.ts';
import { LAB_RUNBOOK } from './outage.ts';
import { BenchTmux, peakRss } from './tmux.ts';

const COLUMNS = 120;
const ROWS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cockpitUp = (l: string[]) => /^┌ posta-multitenant-cutover-lab/.test(l[0] ?? '') && l.some((r) => r.startsWith('└'));
const helloUp = (l: string[]) => l.some((r) => r.includes('hello')) && l.some((r) => r.startsWith('└'));
const exited = (l: string[]) => l.some((r) => /^EXIT=\d+/.test(r));

/** The node flags on the launcher's `#!/usr/bin/env -S node …` line. */
function shebangNodeFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  if (!m) throw new Error(`${file}: expected a "#!/usr/bin/env -S node --flag…" first line, found ${JSON.stringify(first)}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

export async function cockpitFigures(ctx: BenchContext): Promise<Figure[]> {
  await requireCommand(ctx, 'run');
  const hello = join(ctx.repo, 'dist', `.bench-ink-hello-${process.pid}.mjs`);
  const full = join(ctx.repo, 'dist', `.bench-full-redraw-${process.pid}.mjs`);
  // `cutover run` as an operator starts it: bin/cutover.js, through its shebang (node flags, then the bundle).
  const cutover = join(ctx.repo, 'bin', 'cutover.js');
  const nodeFlags = shebangNodeFlags(cutover);
  const tmux = new BenchTmux();
  let lab: Awaited<ReturnType<typeof labUp>> | null = null;
  try {
    await Promise.all([buildInkHello(ctx.repo, hello), buildFullRedrawCockpit(ctx.repo, full)]);
    lab = await labUp(ctx, 'cockpit-lab');
    const env = { ...lab.env, TERM: 'xterm-256color', USER: 'bench' };
    tmux.start('keep', 20, 5, ['sleep', '600'], {}, ctx.repo); // the server is up before the first timed start
    let n = 0;
    const state = () => join(ctx.tmp, `cockpit-state-${n++}`);

    /** Starts a session, waits for its first frame; returns the ms it took and the session name. */
    const start = async (argv: string[], up: (l: string[]) => boolean, what: string) => {
      const name = `s${n}`;
      const t0 = performance.now();
      tmux.start(name, COLUMNS, ROWS, argv, env, ctx.repo);
      await tmux.waitFor(name, up, what);
      return { name, ms: performance.now() - t0 };
    };
    const quit = async (name: string) => {
      tmux.keys(name, 'q');
      const l = await tmux.waitFor(name, (x) => exited(x) || x.some((r) => r.includes('quit the cockpit?')), 'the program to quit', 10_000, 50);
      if (!exited(l)) {
        tmux.keys(name, 'y');
        await tmux.waitFor(name, exited, 'the cockpit to quit after y', 10_000, 50);
      }
      tmux.killSession(name);
    };

    const runs = ctx.quick ? 1 : 7;
    const frames: number[] = [];
    const helloFrames: number[] = [];
    const helloRss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const h = await start([process.execPath, hello], helloUp, 'the Ink hello');
      helloFrames.push(h.ms);
      const pid = tmux.nodePid(h.name);
      const rss = pid === null ? null : peakRss(pid);
      if (rss !== null) helloRss.push(rss);
      await quit(h.name);
      const c = await start([cutover, 'run', LAB_RUNBOOK, '--state', state()], cockpitUp, 'the cockpit header');
      frames.push(c.ms);
      await quit(c.name);
    }
    ctx.log(`cockpit: first frame ${median(frames).toFixed(0)} ms, Ink hello ${median(helloFrames).toFixed(0)} ms`);

    const windowS = ctx.quick ? 5 : 30;
    /** The idle cockpit: after its first panel snapshot and one more refresh, every byte for windowS. */
    const idle = async (argv: string[]) => {
      const c = await start([...argv, 'run', LAB_RUNBOOK, '--state', state()], cockpitUp, 'the cockpit header');
      await tmux.waitFor(c.name, (l) => l.some((r) => /3 Smoke [✓✗]/.test(r)), 'the first panel snapshot', 30_000, 50);
      await sleep(2500);
      const out = join(ctx.tmp, `${c.name}.tty`);
      tmux.pipe(c.name, out);
      const t0 = performance.now();
      await sleep(windowS * 1000);
      tmux.unpipe(c.name);
      const seconds = (performance.now() - t0) / 1000;
      // What one full repaint of this screen costs: the pane with its colours, as a terminal receives it.
      const frameBytes = Buffer.byteLength(tmux.tmux('capture-pane', '-e', '-p', '-t', c.name));
      const pid = tmux.nodePid(c.name);
      const rss = pid === null ? null : peakRss(pid);
      await quit(c.name);
      let bytes = 0;
      try {
        bytes = statSync(out).size;
      } catch {
        // nothing written at all
      }
      return { perS: bytes / seconds, rss, frameBytes };
    };
    const incremental = await idle([cutover]);
    const redraw = await idle([process.execPath, ...nodeFlags, full]);
    // The cockpit draws nothing when nothing visible changed (both builds), so Ink's full-redraw mode writes
    // nothing while idle too; the baseline is what a screen repainted on every clock tick (1/s) would send.
    const naivePerS = Math.max(redraw.perS, incremental.frameBytes);
    ctx.log(`cockpit idle: ${incremental.perS.toFixed(0)} B/s, Ink full-redraw build ${redraw.perS.toFixed(0)} B/s, one full repaint ${incremental.frameBytes} B`);

    return [
      figure({
        name: `cockpit first frame (tmux ${COLUMNS}×${ROWS})`,
        value: median(frames),
        unit: 'ms',
        baseline: median(helloFrames),
        baselineOf: 'bare Ink "hello" bundle',
        goal: '≤ 500 ms and ratio ≤ 1.3',
        check: (v, r) => v <= 500 && r !== null && r <= 1.3,
        note: `median of ${runs} starts each, alternated; \`bin/cutover.js run ${LAB_RUNBOOK}\` on a lab, fresh --state each`,
      }),
      figure({
        name: 'cockpit idle TTY output',
        value: incremental.perS,
        unit: 'B/s',
        baseline: naivePerS,
        baselineOf: 'a full repaint every second (or the Ink full-redraw build, if more)',
        goal: '≤ 1 KB/s',
        check: (v) => v <= 1024,
        note: `${windowS} s window after the first panel snapshot, panels refreshing every 2 s, clock ticking; tmux pipe-pane`,
      }),
      incremental.rss === null || helloRss.length === 0
        ? figure({ name: 'cockpit peak RSS', value: null, unit: 'MiB', baseline: null, baselineOf: 'bare Ink "hello"', goal: '≤ 100 MiB', note: 'no /proc status of the node process' })
        : figure({
            name: 'cockpit peak RSS (VmHWM)',
            value: mb(incremental.rss),
            unit: 'MiB',
            baseline: mb(median(helloRss)),
            baselineOf: 'bare Ink "hello"',
            goal: '≤ 100 MiB',
            check: (v) => v <= 100,
            note: `at the end of the idle window; full-redraw variant ${redraw.rss === null ? '—' : mb(redraw.rss).toFixed(1)} MiB`,
          }),
    ];
  } finally {
    tmux.kill();
    await lab?.down();
    rmSync(hello, { force: true });
    rmSync(full, { force: true });
  }
}
