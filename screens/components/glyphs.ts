// Glyph + colour for every state the screen shows: colour is never the only signal.
import type { StepState } from '../../src/engine/types.ts';
import { STATE_GLYPH } from '../../src/engine/types.ts';
import { seg, type Colour, type Seg } from '../text.ts';

/** ✓ green, ✗ red, · pending (nothing wrong: the expectation does not exist yet), … not checked yet. */
export function verdictSeg(ok: boolean | null | undefined, pending?: string): Seg {
  if (ok === true) return seg('✓', { c: 'green' });
  if (ok === false) return seg('✗', { c: 'red', b: true });
  if (pending) return seg('·', { c: 'gray' });
  return seg('…', { c: 'gray' });
}

export const STATE_COLOUR: Record<StepState, Colour> = {
  pending: 'gray',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  skipped: 'yellow',
  'rolled-back': 'magenta',
};

/**
 * The engine's glyphs as the screen draws them. ▶ (U+25B6) is one column in terminals but string-width (and
 * so Ink) counts it as two, which would wrap or misalign rows; ► (U+25BA) looks the same and measures one.
 */
export const SCREEN_GLYPH: Record<StepState, string> = { ...STATE_GLYPH, running: '►' };

export function stateSeg(state: StepState): Seg {
  return seg(SCREEN_GLYPH[state], { c: STATE_COLOUR[state], b: state === 'running' || state === 'failed' });
}

/** ".168" from "10.228.107.168" or "10.228.107.168:80"; "—" when unknown. */
export function ipTail(address: string | null | undefined): string {
  if (!address) return '—';
  const host = address.replace(/:\d+$/, '');
  const last = host.split('.').pop();
  return last && /^\d+$/.test(last) ? `.${last}` : host;
}

/** "12s", "4m05s", "5h12m", "3d" */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * An age for the side-by-side panels, which stay on screen while idle: it changes at most every 10 s under a
 * minute ("<10s", "40s"), then every minute ("3m", "2h05m"), so a redraw each second is not needed for it.
 * The full-size panel (1–4) shows exact seconds with age().
 */
export function coarseAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 10) return '<10s';
  if (s < 60) return `${Math.floor(s / 10) * 10}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d`;
}

/** "01:12" */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
