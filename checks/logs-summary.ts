// The log review's evaluation: daemon log lines in, what an operator looks for out (seed 000: "unexpected
// restarts, panics, or per-identity errors"), with the matching lines kept so they are one key away.
// Pure: no I/O, the window and the identity slugs are passed in.

export interface LogLine {
  /** Where it came from, e.g. "file /var/log/posta.log" or "journalctl -u posta". */
  source: string;
  text: string;
}

export type FindingKind = 'restart' | 'panic' | 'error';

export interface LogFinding {
  kind: FindingKind;
  /** Epoch ms from the line's timestamp (or the last timestamp before it); null when none was seen. */
  at: number | null;
  identity: string | null;
  source: string;
  line: string;
}

export interface DayCount {
  day: string;
  lines: number;
  starts: number;
  restarts: number;
  panics: number;
  errors: number;
}

export interface IdentityErrors {
  identity: string;
  count: number;
  lines: string[];
}

export interface LogSummary {
  window: { from: number | null; to: number };
  /** Lines inside the window (undated lines count when the window has no start). */
  lines: number;
  /** Daemon start lines in the window, planned ones included. */
  starts: number;
  /** Starts that followed a crash or a start without a clean stop in between: not an operator's restart. */
  restarts: LogFinding[];
  panics: LogFinding[];
  errors: LogFinding[];
  perIdentity: IdentityErrors[];
  perDay: DayCount[];
  /** Nothing to acknowledge: no unexpected restart, no panic, no error line. */
  clean: boolean;
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?/;
/** posta-server, systemd and OpenRC wordings of a daemon coming up. */
const START_RE = /\bposta-server starting\b|\bStarted \S+\.service\b|^\s*\* Starting \S+/;
/** A clean, signalled stop: the restart after it was asked for. */
const STOP_RE = /\bshutting down signal=|\bstopped$|\bStopped \S+\.service\b|^\s*\* Stopping \S+/;
const PANIC_RE = /\bpanic:|\bfatal error:|\bSIGSEGV\b|segmentation fault|core dumped|code=dumped|\bcrashed\b/i;
const ERROR_RE = /\berror[=:]|\blevel=(error|fatal)\b|\bERROR\b|\bfailed\b.*\bexit\b/i;
const IDENTITY_RE = /\b(?:identity|tenant|slug)=([a-z0-9-]+)/;
/** Matching lines kept per group: the counts stay exact, the list stays readable. */
export const MAX_LINES = 50;

/** Epoch ms of a line's leading ISO timestamp (journalctl -o short-iso, posta-server), else null. */
export function lineTime(text: string): number | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const zone = m[3] === undefined ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(t) ? null : t;
}

export function classify(text: string): 'start' | 'stop' | 'panic' | 'error' | 'other' {
  if (START_RE.test(text)) return 'start';
  if (PANIC_RE.test(text)) return 'panic';
  if (STOP_RE.test(text)) return 'stop';
  if (ERROR_RE.test(text)) return 'error';
  return 'other';
}

/** The identity a line is about: identity=/tenant=/slug=, else a known slug's host name (arne.posta.no). */
export function identityOf(text: string, slugs: readonly string[]): string | null {
  const m = IDENTITY_RE.exec(text);
  if (m) return m[1]!;
  for (const s of slugs) if (new RegExp(`\\b${s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\.[a-z0-9.-]+\\b`).test(text)) return s;
  return null;
}

function dayOf(at: number | null): string {
  return at === null ? 'undated' : new Date(at).toISOString().slice(0, 10);
}

/**
 * Summarises the lines of each source (in the order the source wrote them). Start/stop state is followed
 * over the whole log, so the first start inside the window is a restart only if the daemon had started
 * before without stopping cleanly.
 */
export function summariseLogs(lines: readonly LogLine[], opts: { from: number | null; to: number; identities?: readonly string[] }): LogSummary {
  const slugs = opts.identities ?? [];
  const restarts: LogFinding[] = [];
  const panics: LogFinding[] = [];
  const errors: LogFinding[] = [];
  const days = new Map<string, DayCount>();
  let count = 0;
  let starts = 0;
  const state = new Map<string, { started: boolean; clean: boolean; at: number | null }>();

  for (const l of lines) {
    const st = state.get(l.source) ?? { started: false, clean: true, at: null };
    state.set(l.source, st);
    const own = lineTime(l.text);
    if (own !== null) st.at = own;
    const at = st.at;
    const inWindow = at === null ? opts.from === null : (opts.from === null || at >= opts.from) && at <= opts.to;
    const kind = classify(l.text);
    const finding = (k: FindingKind): LogFinding => ({ kind: k, at, identity: identityOf(l.text, slugs), source: l.source, line: l.text });
    let restart = false;
    if (kind === 'start') {
      restart = st.started && !st.clean;
      st.started = true;
      st.clean = false;
    } else if (kind === 'stop') st.clean = true;
    else if (kind === 'panic') st.clean = false;
    if (!inWindow) continue;

    count++;
    const day = dayOf(at);
    const d = days.get(day) ?? { day, lines: 0, starts: 0, restarts: 0, panics: 0, errors: 0 };
    days.set(day, d);
    d.lines++;
    if (kind === 'start') {
      starts++;
      d.starts++;
      if (restart) {
        restarts.push(finding('restart'));
        d.restarts++;
      }
    } else if (kind === 'panic') {
      panics.push(finding('panic'));
      d.panics++;
    } else if (kind === 'error') {
      errors.push(finding('error'));
      d.errors++;
    }
  }

  const byIdentity = new Map<string, IdentityErrors>();
  for (const e of errors) {
    const key = e.identity ?? '(no identity)';
    const g = byIdentity.get(key) ?? { identity: key, count: 0, lines: [] };
    byIdentity.set(key, g);
    g.count++;
    if (g.lines.length < MAX_LINES) g.lines.push(e.line);
  }
  const perIdentity = [...byIdentity.values()].sort((a, b) => (a.identity.startsWith('(') ? 1 : 0) - (b.identity.startsWith('(') ? 1 : 0) || a.identity.localeCompare(b.identity));
  const perDay = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  return {
    window: { from: opts.from, to: opts.to },
    lines: count,
    starts,
    restarts,
    panics,
    errors,
    perIdentity,
    perDay,
    clean: restarts.length === 0 && panics.length === 0 && errors.length === 0,
  };
}

/** One line for the runbook list, the journal and the gate's prompt. */
export function summaryLine(s: LogSummary): string {
  const ids = s.perIdentity.map((g) => `${g.identity} ${g.count}`).join(', ');
  const parts = [
    `${s.restarts.length} unexpected restart${s.restarts.length === 1 ? '' : 's'}`,
    `${s.panics.length} panic${s.panics.length === 1 ? '' : 's'}`,
    `${s.errors.length} error line${s.errors.length === 1 ? '' : 's'}${ids ? ` (${ids})` : ''}`,
  ];
  return `${parts.join(', ')} in ${s.lines} line${s.lines === 1 ? '' : 's'}, ${s.starts} start${s.starts === 1 ? '' : 's'}`;
}

/** The summary as text lines: counts, per identity, per day, then the matching lines. */
export function renderSummary(s: LogSummary, opts: { showLines?: boolean } = {}): string[] {
  const iso = (t: number | null) => (t === null ? 'the beginning of the log' : new Date(t).toISOString().replace('.000Z', 'Z'));
  const out = [`window: ${iso(s.window.from)} → ${iso(s.window.to)}`, `${s.clean ? '✓ clean' : '✗ needs a look'}: ${summaryLine(s)}`];
  if (s.perIdentity.length) {
    out.push('errors per identity:');
    for (const g of s.perIdentity) out.push(`  ${g.identity.padEnd(14)} ${g.count}`);
  }
  if (s.perDay.length) {
    out.push('per day:            lines starts restarts panics errors');
    for (const d of s.perDay) out.push(`  ${d.day.padEnd(17)} ${[d.lines, d.starts, d.restarts, d.panics, d.errors].map((n, i) => String(n).padStart([5, 7, 9, 7, 7][i]!)).join('')}`);
  }
  if (opts.showLines !== false) {
    const show = (title: string, fs: LogFinding[]) => {
      if (!fs.length) return;
      out.push(`${title}:`);
      for (const f of fs.slice(0, MAX_LINES)) out.push(`  ${f.line}`);
      if (fs.length > MAX_LINES) out.push(`  … ${fs.length - MAX_LINES} more`);
    };
    show('restarts', s.restarts);
    show('panics', s.panics);
    show('errors', s.errors);
  }
  return out;
}
