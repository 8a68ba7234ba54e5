// Screen-test harness: the real Cockpit rendered by ink-testing-library at a fixed terminal size, keys
// written to its stdin, frames read back with ANSI stripped, and every effect the screen asked for recorded.
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { Cockpit } from '../../screens/Cockpit.tsx';
import { createCockpitStore, type CockpitStore } from '../../screens/state/store.ts';
import type { Action, CockpitState, Effect } from '../../screens/state/types.ts';

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  backspace: '\u007f',
} as const;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

export interface Screen {
  store: CockpitStore;
  effects: Effect[];
  /** The last frame, ANSI stripped, as lines. */
  lines(): string[];
  text(): string;
  raw(): string;
  /** How many frames Ink has written so far (an unchanged frame is not written). */
  frameCount(): number;
  /** Writes keys one at a time (each a separate stdin chunk), waiting a tick before and after each. */
  press(...keys: string[]): Promise<void>;
  /** Types text character by character. */
  type(text: string): Promise<void>;
  dispatch(...actions: Action[]): Promise<void>;
  /** Only with followTerminal: the terminal changes size (stdout 'resize'). */
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

export async function renderScreen(
  state: CockpitState,
  opts: { columns?: number; rows?: number; color?: boolean; followTerminal?: boolean } = {},
): Promise<Screen> {
  const columns = opts.columns ?? state.viewport.columns;
  const rows = opts.rows ?? state.viewport.rows;
  return renderStore(createCockpitStore({ ...state, viewport: { columns, rows } }), { ...opts, columns, rows });
}

/** The same harness around a store someone else drives (e.g. src/cockpit's driver on a real runner). */
export async function renderStore(store: CockpitStore, opts: { columns: number; rows: number; color?: boolean; followTerminal?: boolean }): Promise<Screen> {
  let { columns, rows } = opts;
  const effects: Effect[] = [];
  store.onEffect((e) => effects.push(e));
  const size = opts.followTerminal ? undefined : { columns, rows };
  const tree = <Cockpit store={store} size={size} color={opts.color ?? true} />;
  const ink = render(tree);
  // ink-testing-library's stdout claims 100 columns; Ink lays out to stdout.columns, so give it the real size.
  Object.defineProperty(ink.stdout, 'columns', { get: () => columns });
  Object.defineProperty(ink.stdout, 'rows', { get: () => rows });
  ink.rerender(tree);
  await tick();
  if (opts.followTerminal) {
    ink.stdout.emit('resize');
    await tick();
  }
  const raw = () => ink.lastFrame() ?? '';
  const text = () => stripVTControlCharacters(raw());
  return {
    store,
    effects,
    raw,
    frameCount: () => ink.frames.length,
    text,
    lines: () => text().split('\n'),
    async press(...keys) {
      for (const k of keys) {
        await tick();
        ink.stdin.write(k);
        await tick();
      }
    },
    async type(s) {
      for (const ch of s) {
        await tick();
        ink.stdin.write(ch);
        await tick();
      }
    },
    async dispatch(...actions) {
      for (const a of actions) store.dispatch(a);
      await tick();
    },
    async resize(c, r) {
      columns = c;
      rows = r;
      ink.stdout.emit('resize');
      await tick();
      await tick();
    },
    unmount: () => ink.unmount(),
  };
}
