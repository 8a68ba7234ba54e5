// The bench table as the terminal and the README show it (a Markdown table reads well in both).
import type { Figure } from './lib.ts';

const num = (n: number | null, unit = '') => (n === null ? '—' : `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)}${unit ? ' ' + unit : ''}`);

export function formatTable(figures: Figure[], pending: { name: string; why: string }[] = []): string {
  const rows = figures.map((f) => [
    f.name,
    num(f.value, f.unit),
    `${num(f.baseline, f.unit)} (${f.baselineOf})`,
    f.ratio === null ? '—' : `${f.ratio >= 10 ? f.ratio.toFixed(1) : f.ratio.toFixed(3)}×`,
    f.goal ?? '—',
    f.ok === null ? '—' : f.ok ? '✓' : '✗ above goal',
  ]);
  for (const p of pending) rows.push([p.name, 'not measured', '—', '—', '—', p.why]);
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'ok'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!.replaceAll('|', '\\|')].length)));
  const line = (cells: string[]) => '| ' + cells.map((c) => c.replaceAll('|', '\\|')).map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n') + '\n';
}

export function formatNotes(figures: Figure[]): string {
  return figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`).join('\n') + '\n';
}
