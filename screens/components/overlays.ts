// Overlays: the scrollable ones fill the main area (help, diff, output, rollback plan); questions are asked
// on the message line so the screen stays visible behind them.
import { displayKeys, helpSections } from '../keymap.ts';
import { rollbackPlan } from '../state/rollback-plan.ts';
import { stepByKey } from '../state/selectors.ts';
import type { CockpitState, Overlay } from '../state/types.ts';
import { pad, printable, seg, textWidth, wrapLine, wrapLines, type Line } from '../text.ts';
import { diffLines } from './diff-lines.ts';

/** Every binding of the keymap that exists in this mode (read-only drops the dangerous ones), by context. */
export function helpLines(state: CockpitState, width = Infinity): Line[] {
  const lines: Line[] = [];
  const sections = helpSections(state);
  const keysWidth = Math.max(...sections.flatMap((s) => s.bindings.map((b) => textWidth(displayKeys(b))))) + 1;
  // Long help sentences wrap under their own column, so every word is on screen at 80 columns.
  const hang = ' '.repeat(2 + keysWidth + 10);
  for (const section of sections) {
    if (lines.length) lines.push([]);
    lines.push([seg(section.title, { b: true })]);
    for (const b of section.bindings) lines.push(...wrapLine([seg(`  ${pad(displayKeys(b), keysWidth)}`, { b: true }), seg(`${pad(b.label, 9)} `), seg(b.help, { c: 'gray' })], width, hang));
  }
  if (state.readOnly) lines.push([], ...wrapLine([seg(`read-only: ${state.driver.name} drives; run, skip and rollback are not available here`, { c: 'yellow' })], width));
  return lines;
}

export function rollbackPlanLines(state: CockpitState): Line[] {
  const plan = rollbackPlan(state);
  if (!plan.length) return [[seg('nothing to roll back', { c: 'gray' })]];
  return plan.flatMap((p, i): Line[] => [
    [seg(`${String(i + 1).padStart(2)}. `), seg(p.key, { b: true }), seg(` ${p.title}`, { c: 'gray' })],
    [seg('    '), seg(p.undone ? '↺ ' : '· ', { c: p.undone ? 'magenta' : 'gray' }), seg(p.how)],
  ]);
}

export function overlayTitle(state: CockpitState, o: Overlay): string {
  switch (o.kind) {
    case 'help':
      return `Keys${state.readOnly ? ' (read-only)' : ''} · esc back`;
    case 'diff':
      return `Diff · ${o.stepKey} · ↑↓ PgUp PgDn scroll · esc back`;
    case 'output':
      return `Output · ${o.stepKey}${o.scroll < 0 ? ' (following)' : ''} · ↑↓ PgUp PgDn scroll · esc back`;
    case 'rollback-plan':
      return `Rollback plan · ${rollbackPlan(state).length} steps, newest first`;
    case 'new-writes':
      return 'New writes in the target since the copy · nothing was changed';
    default:
      return '';
  }
}

/**
 * Content of a scrollable overlay, before scrolling, wrapped to `width` columns: nothing is cut off, so the
 * full argv of every command can be read (continuation rows are indented).
 */
export function overlayContent(state: CockpitState, o: Overlay, width = Infinity): Line[] {
  switch (o.kind) {
    case 'help':
      return helpLines(state, width);
    case 'diff':
      return wrapLines(diffLines(stepByKey(state, o.stepKey)?.diff ?? ''), width);
    case 'output':
      return wrapLines((stepByKey(state, o.stepKey)?.output ?? []).map((l) => [seg(printable(l))]), width);
    case 'rollback-plan':
      return wrapLines(rollbackPlanLines(state), width, '      ');
    case 'new-writes':
      return wrapLines(
        [
          [seg('The rollback stopped before changing anything: the new daemon took writes after the cutover copied', { c: 'yellow' })],
          [seg('these databases. Rolling back without them loses them.', { c: 'yellow' })],
          [],
          ...o.lines.map((l) => [seg('  ✗ ', { c: 'red' }), seg(printable(l))]),
          [],
          [seg('  c ', { b: true }), seg('copy back: legacy daemon stopped, its file backed up, the rows carried back, size + sha256 + integrity verified')],
          [seg('  x ', { b: true }), seg('discard: roll back without them (named with the counts in the journal and the report)')],
          [seg('  n ', { b: true }), seg('cancel: nothing is rolled back')],
        ],
        width,
        '    ',
      );
    default:
      return [];
  }
}

export function isScrollOverlay(o: Overlay | null): o is Extract<Overlay, { scroll: number }> {
  return !!o && 'scroll' in o;
}

/** The visible page: `scroll` is the first line, -1 follows the end. */
export function scrolled(content: Line[], scroll: number, rows: number): Line[] {
  const max = Math.max(0, content.length - rows);
  const start = scroll < 0 ? max : Math.min(scroll, max);
  return content.slice(start, start + rows);
}

/** The question on the message line (`tail`, the typed answer, always stays visible), or null when none is open. */
export function prompt(state: CockpitState): { head: Line; tail: Line } | null {
  const line = promptLine(state);
  if (!line) return null;
  const o = state.overlay;
  // What must stay visible however narrow: the typed answer, or a quit question's own keys.
  const typed = o?.kind === 'typed-confirm' || o?.kind === 'skip-reason' || o?.kind === 'waiver-reason' ? 2 : o?.kind === 'quit-confirm' ? 2 : 0;
  return { head: line.slice(0, line.length - typed), tail: line.slice(line.length - typed) };
}

function promptLine(state: CockpitState): Line | null {
  const o = state.overlay;
  if (!o) return null;
  const cursor = seg('▏', { b: true });
  switch (o.kind) {
    case 'confirm': {
      const v = stepByKey(state, o.stepKey);
      const n = v ? `${state.steps.indexOf(v) + 1}/${state.steps.length} ` : '';
      return o.destructive
        ? [seg('! DESTRUCTIVE ', { c: 'red', b: true }), seg(`run ${n}${o.stepKey}? `), seg('y', { b: true }), seg(' run · esc cancel')]
        : [seg(`run ${n}${o.stepKey}? `), seg('enter/y', { b: true }), seg(' run · esc cancel')];
    }
    case 'typed-confirm':
      return o.error
        ? [seg(`✗ ${o.error} › `, { c: 'red', b: true }), seg(o.typed), cursor]
        : [seg('!! IRREVERSIBLE ', { c: 'red', b: true }), seg(`${o.stepKey}: type `), seg(o.expected, { b: true }), seg(' and enter (esc cancel) › '), seg(o.typed), cursor];
    case 'skip-reason':
      return o.error
        ? [seg(`✗ ${o.error} › `, { c: 'red', b: true }), seg(o.reason), cursor]
        : [seg(`skip ${o.stepKey}: reason (enter submit, esc cancel) › `, { c: 'yellow' }), seg(o.reason), cursor];
    case 'waiver-reason':
      return o.error
        ? [seg(`✗ ${o.error} › `, { c: 'red', b: true }), seg(o.reason), cursor]
        : [seg(`! WAIVE the stability window at ${o.stepKey}: reason (journaled with your name; enter submit, esc cancel) › `, { c: 'yellow' }), seg(o.reason), cursor];
    case 'acknowledge':
      return [seg(`acknowledge what the log review found (o shows the lines) and run ${o.stepKey} again? `, { c: 'yellow' }), seg('y', { b: true }), seg(' acknowledge · esc cancel')];
    case 'quit-confirm':
      if (o.window) {
        // What is down first (it must be read at 80 columns), then the question and how to come back.
        const down = o.window.down.length ? o.window.down.join(', ') : 'the legacy daemons';
        return [
          seg(`! outage window open · down: ${down} · quit anyway? \`cutover run\` resumes · `, { c: 'yellow', b: true }),
          seg('y', { b: true }),
          seg(' quit · n stay'),
        ];
      }
      if (state.rollingBack) return [seg('the rollback is running: quitting interrupts it (`cutover rollback` finishes it) · ', { c: 'yellow', b: true }), seg('y', { b: true }), seg(' quit · n stay')];
      return [seg('a step is running: quit the cockpit? the run stays resumable with cutover run · ', { c: 'yellow' }), seg('y', { b: true }), seg(' quit · n stay')];
    case 'new-writes':
      return [seg('new writes since the copy: ', { c: 'red', b: true }), seg('c', { b: true }), seg(' copy back · '), seg('x', { b: true }), seg(' discard them · n cancel')];
    case 'rollback-plan':
      return rollbackPlan(state).length
        ? [seg('roll back the steps above? ', { c: 'magenta', b: true }), seg('y', { b: true }), seg(' roll back · esc cancel')]
        : [seg('nothing to roll back · esc back', { c: 'gray' })];
    default:
      return null;
  }
}
