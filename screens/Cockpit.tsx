// The cockpit's root component: renders the store's state as one frame and turns keys into intents.
//
// How a driver (`cutover run` / `cutover watch`) plugs in:
//   const store = createCockpitStore({ runbook, steps, outageBudgetMs, driver: { name, lock }, readOnly, now: Date.now() });
//   store.onEffect((e) => …);           // run-step {key} · skip-step {key, reason} · rollback · recheck · quit {resumable}
//   const ink = render(<Cockpit store={store} color={colorFromEnv(env)} />, { maxFps: 12, incrementalRendering: true, exitOnCtrlC: false });
// then pushes what happens as events with store.dispatch(…):
//   { type: 'step-state', key, state, error?, revert?, at? }   running / succeeded / failed (+ auto-revert outcome) …
//   { type: 'output', key, lines }  { type: 'diff', key, diff }  (diffs can be pushed up front from the plan)
//   { type: 'snapshot', snapshot }  (checks' Snapshot; also clears `checking`)   { type: 'checking', on }
//   { type: 'tick', now }           once a second (the outage clock and token ages; nothing else redraws while idle)
//   { type: 'outage', openedAt?, closedAt?, budgetMs? }  when resuming from the journal (otherwise the steps marked
//                                    outage = opens/closes open and close the window by themselves)
//   { type: 'driver', name, lock, detail? }   { type: 'message', text, level? }
// Effects are requests: the driver decides, acts, and reports back through events. The screen never does I/O.
// Quit: on the `quit` effect the driver unmounts Ink and restores the terminal; the run stays resumable.
import { useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Lines } from './components/Lines.tsx';
import { buildFrame } from './frame.ts';
import { keyName, resolveKey } from './keymap.ts';
import type { CockpitStore } from './state/store.ts';
import type { CockpitState } from './state/types.ts';
import type { Line } from './text.ts';

export interface CockpitProps {
  store: CockpitStore;
  /** false under NO_COLOR: no colour codes at all. */
  color?: boolean;
  /** Fixed size (tests, previews); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  /** Ink's input is off when stdin is not a TTY (e.g. piped); the driver decides. */
  inputActive?: boolean;
  /** Ctrl-C (raw mode delivers it as a key, not a signal): the driver decides what it means. */
  onInterrupt?: () => void;
}

/** Colour unless NO_COLOR is set to a non-empty value (no-color.org). */
export function colorFromEnv(env: NodeJS.ProcessEnv): boolean {
  return !env['NO_COLOR'];
}

function useTerminalSize(fixed?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return setSize(fixed);
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed?.columns, fixed?.rows]);
  return size;
}

/**
 * The frame for the store's state, as React state: a new state that draws the same frame (a clock tick while
 * no clock is visible, a panel refresh that changed nothing shown) keeps the previous lines, so React does not
 * re-render and Ink neither lays out nor writes anything. This is what keeps the idle TTY traffic and the
 * garbage (hence RSS) down.
 */
function useFrame(store: CockpitStore, columns: number, rows: number): Line[] {
  const cache = useRef<{ state: CockpitState; columns: number; rows: number; key: string; lines: Line[] } | null>(null);
  const getSnapshot = useCallback(() => {
    const state = store.getState();
    const c = cache.current;
    if (c && c.state === state && c.columns === columns && c.rows === rows) return c.lines;
    const lines = buildFrame(state, columns, rows);
    const key = JSON.stringify(lines);
    if (c && c.key === key) {
      cache.current = { ...c, state, columns, rows };
      return c.lines;
    }
    cache.current = { state, columns, rows, key, lines };
    return lines;
  }, [store, columns, rows]);
  return useSyncExternalStore(store.subscribe, getSnapshot);
}

export function Cockpit({ store, color = true, size: fixedSize, inputActive = true, onInterrupt }: CockpitProps) {
  const size = useTerminalSize(fixedSize);
  const lines = useFrame(store, size.columns, size.rows);

  useEffect(() => {
    const v = store.getState().viewport;
    if (v.columns !== size.columns || v.rows !== size.rows) store.dispatch({ type: 'viewport', ...size });
  }, [store, size.columns, size.rows]);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') return onInterrupt?.();
      // Keys typed faster than a read (or pasted) arrive as one chunk: each character is its own key.
      const plain = !key.ctrl && !key.meta && !key.return && !key.escape && !key.tab && !key.backspace && !key.delete;
      const chunks = plain && [...input].length > 1 ? [...input] : [input];
      for (const chunk of chunks) {
        const name = keyName(chunk, key);
        if (!name) continue;
        const intent = resolveKey(store.getState(), name, chunk);
        if (intent) store.dispatch(intent);
      }
    },
    { isActive: inputActive },
  );

  return <Lines lines={lines} color={color} />;
}
