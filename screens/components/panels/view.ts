// One panel's three renderings: its rows in the side-by-side layout, its compact summary line, and the
// detail line of one item in the full-size view (keys 1–4).
import type { Panel, PanelName, Verdict } from '../../../checks/types.ts';
import type { Line } from '../../text.ts';

export interface PanelView<T extends Verdict> {
  name: PanelName;
  /** Lines below the title for the side-by-side layout (before windowing). */
  rows(panel: Panel<T>, width: number, now: number): Line[];
  summary(panel: Panel<T> | undefined, now: number): Line;
  /** Extra words after the title, e.g. the domain suffix stripped from rows. */
  titleSuffix?(panel: Panel<T>): string;
  /** A gray line under the rows when nothing is red or pending: what the rows cannot say (why a container is absent). */
  note?(panel: Panel<T>): string | null;
  /** One line per item in the full-size view. */
  detail(item: T, now: number): Line;
}
