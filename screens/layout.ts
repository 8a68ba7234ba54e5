// Frame geometry from the terminal size. The frame is always at most rows-1 lines, so the terminal never
// scrolls; below the compact minimum only a one-line notice is drawn.

export type LayoutMode = 'full' | 'compact' | 'tiny';

export const FULL_MIN = { columns: 120, rows: 30 } as const;
export const COMPACT_MIN = { columns: 60, rows: 16 } as const;

export interface Layout {
  mode: LayoutMode;
  columns: number;
  /** Lines the frame occupies (rows - 1). */
  frameRows: number;
  /** Width inside the left and right border. */
  inner: number;
  /** Lines of the panel block (full: side-by-side panels incl. their title row; compact: one line per panel). */
  panelRows: number;
  /** Lines of the runbook list / output pane. */
  bodyRows: number;
  /** Lines between the header and the message line: what a focused panel or an overlay gets. */
  mainRows: number;
  listWidth: number;
  paneWidth: number;
}

/** header + separator + message + footer */
const CHROME_ROWS = 4;

export function computeLayout(columns: number, rows: number): Layout {
  const frameRows = Math.max(1, rows - 1);
  const inner = Math.max(0, columns - 2);
  const mode: LayoutMode =
    columns >= FULL_MIN.columns && rows >= FULL_MIN.rows ? 'full' : columns >= COMPACT_MIN.columns && rows >= COMPACT_MIN.rows ? 'compact' : 'tiny';
  const panelRows = mode === 'full' ? Math.min(10, frameRows - CHROME_ROWS - 12) : mode === 'compact' ? 4 : 0;
  const bodyRows = mode === 'tiny' ? 0 : frameRows - CHROME_ROWS - panelRows;
  const listWidth = mode === 'full' ? Math.min(56, Math.floor(inner * 0.42)) : Math.min(36, Math.floor(inner * 0.42));
  return {
    mode,
    columns,
    frameRows,
    inner,
    panelRows,
    bodyRows,
    mainRows: mode === 'tiny' ? 0 : frameRows - 3,
    listWidth,
    paneWidth: Math.max(0, inner - listWidth - 1),
  };
}

/** Lines of scrollable content in an overlay (its first main row is the title rule). */
export function overlayPageRows(columns: number, rows: number): number {
  return Math.max(1, computeLayout(columns, rows).mainRows - 1);
}
