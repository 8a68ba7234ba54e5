// Log review probe: collects the new container's daemon logs through the runtime, from the sources the
// runbook declares (a log file, OpenRC, journalctl where systemd runs, Incus' own instance log), then
// summarises them with the pure evaluation in logs-summary.ts.
import type { Runtime } from '../src/ports.ts';
import { summariseLogs, type LogLine, type LogSummary } from './logs-summary.ts';

export interface LogSourceDecl {
  kind: 'file' | 'openrc' | 'journalctl' | 'incus';
  path?: string;
  unit?: string;
}

export interface SourceResult {
  source: string;
  ok: boolean;
  lines: number;
  /** Why a source gave nothing (not there, no systemd, runtime cannot show it). */
  note?: string;
}

export interface LogReview {
  container: string;
  sources: SourceResult[];
  summary: LogSummary;
}

const EXEC_TIMEOUT_MS = 20_000;
const DEFAULT_UNIT = 'posta';

function split(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
}

/** output_log / error_log of an OpenRC init script: where supervise-daemon sends the daemon's output. */
export function openrcLogPaths(initScript: string): string[] {
  const out: string[] = [];
  for (const key of ['output_log', 'error_log']) {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\n]+?)"?\\s*$`, 'm').exec(initScript);
    if (m && m[1]!.startsWith('/') && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

async function tryExec(runtime: Runtime, container: string, argv: string[]) {
  try {
    return await runtime.exec(container, argv, { timeoutMs: EXEC_TIMEOUT_MS });
  } catch (err) {
    return { exitCode: -1, stdout: '', stderr: (err as Error).message };
  }
}

function why(r: { exitCode: number; stdout: string; stderr: string }): string {
  if (r.exitCode === 127) return 'command not found in the container';
  return ((r.stderr || r.stdout).trim().split('\n').pop() ?? '') || `exit ${r.exitCode}`;
}

/** `opts.shownAs`: the instance as the operator types it (REMOTE:NAME with a remote), for the labels. */
export async function collectLogs(runtime: Runtime, container: string, sources: LogSourceDecl[], opts: { since: number | null; shownAs?: string }): Promise<{ lines: LogLine[]; sources: SourceResult[] }> {
  const lines: LogLine[] = [];
  const results: SourceResult[] = [];
  const filesRead = new Set<string>();
  const readFile = async (path: string, label = `file ${path}`) => {
    if (filesRead.has(path)) return;
    filesRead.add(path);
    const r = await tryExec(runtime, container, ['cat', path]);
    if (r.exitCode !== 0) return void results.push({ source: label, ok: false, lines: 0, note: why(r) });
    const got = split(r.stdout).map((text) => ({ source: label, text }));
    lines.push(...got);
    results.push({ source: label, ok: true, lines: got.length });
  };

  // Files first, so an OpenRC source that points at the same file does not read it twice.
  for (const s of sources) if (s.kind === 'file' && s.path) await readFile(s.path);
  for (const s of sources) {
    const unit = s.unit ?? DEFAULT_UNIT;
    if (s.kind === 'file') {
      if (!s.path) results.push({ source: 'file', ok: false, lines: 0, note: 'no path given' });
    } else if (s.kind === 'openrc') {
      const label = `rc-service ${unit} status`;
      const st = await tryExec(runtime, container, ['rc-service', unit, 'status']);
      const status = split(st.stdout + st.stderr);
      // A status line carries no time: it describes now.
      const now = new Date().toISOString();
      lines.push(...status.map((t) => ({ source: label, text: `${now} ${t.trim()}` })));
      results.push({ source: label, ok: st.exitCode !== 127 && st.exitCode !== -1, lines: status.length, ...(st.exitCode === 0 ? {} : { note: why(st) }) });
      const script = await tryExec(runtime, container, ['cat', `/etc/init.d/${unit}`]);
      const paths = script.exitCode === 0 ? openrcLogPaths(script.stdout) : [];
      for (const p of paths.length ? paths : [`/var/log/${unit}.log`]) await readFile(p, `openrc ${unit} ${p}`);
    } else if (s.kind === 'journalctl') {
      const argv = ['journalctl', '-u', unit, '--no-pager', '-o', 'short-iso', ...(opts.since !== null ? ['--since', `@${Math.floor(opts.since / 1000)}`] : [])];
      const label = `journalctl -u ${unit}`;
      const r = await tryExec(runtime, container, argv);
      if (r.exitCode !== 0) results.push({ source: label, ok: false, lines: 0, note: r.exitCode === 127 ? 'no journalctl in the container (no systemd)' : why(r) });
      else {
        const got = split(r.stdout).filter((t) => !t.startsWith('-- ')).map((text) => ({ source: label, text }));
        lines.push(...got);
        results.push({ source: label, ok: true, lines: got.length });
      }
    } else if (s.kind === 'incus') {
      const label = `incus info --show-log ${opts.shownAs ?? container}`;
      if (!runtime.capabilities.includes('log') || !runtime.instanceLog) results.push({ source: label, ok: false, lines: 0, note: 'this runtime cannot show the instance log' });
      else {
        try {
          const got = split(await runtime.instanceLog(container)).map((text) => ({ source: label, text }));
          lines.push(...got);
          results.push({ source: label, ok: true, lines: got.length });
        } catch (err) {
          results.push({ source: label, ok: false, lines: 0, note: (err as Error).message.split('\n')[0] });
        }
      }
    }
  }
  return { lines, sources: results };
}

export async function reviewLogs(
  runtime: Runtime,
  container: string,
  sources: LogSourceDecl[],
  opts: { from: number | null; to: number; identities: string[]; shownAs?: string },
): Promise<LogReview> {
  const got = await collectLogs(runtime, container, sources, { since: opts.from, ...(opts.shownAs ? { shownAs: opts.shownAs } : {}) });
  return { container, sources: got.sources, summary: summariseLogs(got.lines, opts) };
}
