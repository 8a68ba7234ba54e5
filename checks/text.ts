// A snapshot as a compact plain-text table (80 columns by default) for `cutover status` / `verify`. Pure.
import stringWidth from '../src/width.ts';
import type { Panel, SmokeItem, Snapshot, Verdict } from './types.ts';

/** ✓ ✗, · pending (no expectation yet: nothing is wrong), ? unknown. */
export function glyph(ok: boolean | null, pending?: string): string {
  return ok === true ? '✓' : ok === false ? '✗' : pending ? '·' : '?';
}

/** Cuts to `width` display columns with an ellipsis. */
export function fit(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (stringWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + '…';
}

function pad(text: string, width: number): string {
  const t = fit(text, width);
  return t + ' '.repeat(Math.max(0, width - stringWidth(t)));
}

/** Word-wraps to `width`, continuation lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  const lead = /^ */.exec(text)![0];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const next = line.trim() === '' ? line + word : `${line} ${word}`;
    if (stringWidth(next) > width && line.trim() !== '') {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l) => fit(l, width));
}

export function age(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

function heading(p: Panel<Verdict>, title: string, width: number, extra = ''): string {
  const state = p.error ? `? cannot check: ${p.error}` : p.ok === null && p.items.length === 0 ? '· not available yet' : `${glyph(p.ok)} ${p.items.filter((i) => i.ok === true).length}/${p.items.length} ok`;
  return fit(`${title} ${state}${extra}`, width);
}

export interface TextOptions {
  title: string;
  width?: number;
  now: number;
}

export function renderSnapshot(s: Snapshot & { phase?: string }, opts: TextOptions): string[] {
  const w = opts.width ?? 80;
  const verdict = s.ok === true ? '✓ ALL GREEN' : s.ok === false ? '✗ RED' : '? CANNOT CHECK';
  const head = fit(`${opts.title}${s.phase ? ` · phase ${s.phase}` : ''}`, w - stringWidth(verdict) - 1);
  const lines: string[] = [pad(head, w - stringWidth(verdict)) + verdict];
  // The state of the world by the journal: before, mid-run, cut over, rolling back, rolled back, decommissioned.
  if (s.world) lines.push(fit(`state: ${s.world.text}`, w));

  lines.push(heading(s.containers, 'Containers', w));
  // REMOTE:NAME (runtime.remote) is never cut short: the column grows to the longest name.
  const nameWidth = Math.max(12, ...s.containers.items.map((c) => stringWidth(c.ref ?? c.name)));
  for (const c of s.containers.items) {
    const flags = c.role === 'legacy' && c.status ? ` autostart ${c.autostart === null ? '-' : c.autostart ? 'on' : 'off'}${c.protectedDelete ? ' protected' : ''}` : '';
    const deleted = c.status === null && c.ok === true && /^deleted by /.test(c.actual);
    lines.push(fit(`  ${glyph(c.ok)} ${pad(c.ref ?? c.name, nameWidth)} ${pad(c.role, 6)} ${pad(c.status ?? (deleted ? 'deleted' : 'absent'), 8)} ${pad(c.ipv4 ?? '-', 15)}${flags}${c.ok === false || deleted ? ` — ${c.actual}` : ''}`, w));
  }

  lines.push(heading(s.upstreams, 'Upstreams (file → live)', w));
  for (const u of s.upstreams.items) {
    const live = u.liveDials.join(',') || '-';
    const file = u.fileDials.join(',') || '-';
    const at = u.pointsAt ? ` (${u.pointsAt})` : '';
    lines.push(fit(`  ${glyph(u.ok)} ${pad(u.site, 18)} ${file === live ? live : `${file} → ${live}`}${at}${u.drift ? ' DRIFT' : ''}${u.ok === false ? ` — ${u.actual}` : ''}`, w));
  }

  lines.push(...smokeLines(s.smoke, w));

  lines.push(heading(s.tokens, 'Tokens', w));
  for (const t of s.tokens.items) {
    const version = t.schemaVersion != null ? `v${t.schemaVersion}` : '';
    const survived = t.survived === true ? 'survived' : t.survived === false ? 'LOST' : '';
    const tail = t.ok === false || t.ok === null ? t.actual : `seen ${age(t.lastSeenAt, opts.now)} ${survived}`;
    lines.push(fit(`  ${glyph(t.ok)} ${pad(`${t.identity}/${t.device}`, 20)} ${pad(t.tokenMasked, 9)} ${pad(version, 3)} ${tail}`, w));
  }

  const problems = [
    ...[s.containers, s.upstreams].flatMap((p: Panel<Verdict>) => p.items.filter((i) => i.ok === false).map((i) => i.why ?? i.actual)),
    ...smokeProblems(s.smoke.items),
    ...s.tokens.items.filter((i) => i.ok === false).map((i) => i.why ?? i.actual),
  ];
  if (problems.length > 0) {
    lines.push('Problems');
    for (const p of problems) lines.push(...wrap(`  ✗ ${p}`, w, 4));
  }
  return lines;
}

/** Failed smoke items, one line per identity × vantage × reason (listing the checks), not one per probe. */
function smokeProblems(items: SmokeItem[]): string[] {
  const groups = new Map<string, { checks: string[]; identity: string; vantage: string; reason: string }>();
  for (const i of items.filter((x) => x.ok === false)) {
    const reason = i.error ?? i.actual;
    const key = `${i.identity}\0${i.vantage}\0${reason}`;
    const g = groups.get(key) ?? { checks: [], identity: i.identity, vantage: i.vantage, reason };
    g.checks.push(i.check);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `${g.identity} ${g.checks.join(',')} (${g.vantage}): ${g.reason}`);
}

/** One row per identity, one column per check, two glyphs per cell: local then public. */
function smokeLines(p: Panel<SmokeItem>, w: number): string[] {
  const checks = [...new Set(p.items.map((i) => i.check))];
  const ids = [...new Set(p.items.map((i) => i.identity))];
  const cell = Math.max(5, ...checks.map((c) => stringWidth(c) + 1));
  const lines = [heading(p, 'Smoke', w, checks.length ? '  (cells: local public)' : '')];
  if (checks.length === 0) return lines;
  lines.push(fit(`    ${pad('', 12)} ${checks.map((c) => pad(c, cell)).join('')}slowest`, w));
  for (const id of ids) {
    const mine = p.items.filter((i) => i.identity === id);
    const cells = checks.map((c) => {
      const at = (v: string) => mine.find((i) => i.check === c && i.vantage === v);
      return pad([at('local'), at('public')].map((i) => (i ? glyph(i.ok, i.pending) : ' ')).join(''), cell);
    });
    const timedOut = mine.some((i) => i.failure === 'timeout');
    const slowest = Math.max(0, ...mine.map((i) => i.timeMs ?? 0));
    const pending = mine.find((i) => i.ok === null && i.pending)?.pending;
    lines.push(fit(`  ${glyph(mine.some((i) => i.ok === false) ? false : mine.every((i) => i.ok === true || (i.ok === null && i.pending)) ? true : null)} ${pad(id, 12)} ${cells.join('')}${timedOut ? 'timed out' : `${slowest} ms`}`, w));
    if (pending && id === ids.find((x) => p.items.some((i) => i.identity === x && i.pending))) lines.push(fit(`    · ${pending}`, w));
  }
  // Which address each vantage probed (local: the serving container; public: through the proxy).
  const first = ids[0];
  const where = (v: string) => p.items.find((i) => i.identity === first && i.vantage === v && i.url)?.url;
  if (where('local') || where('public')) lines.push(fit(`    probed (${first}): local ${where('local') ?? '—'} · public ${where('public') ?? '—'}`, w));
  return lines;
}
