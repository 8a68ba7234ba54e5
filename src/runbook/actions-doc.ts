// docs/runbook.md's "Actions and their keys" table, from the catalog (pure): each action's row is its descriptor's
// `doc`. scripts/gen-runbook-doc.ts rewrites the block between the markers; test/unit/runbook-docs.test.ts fails
// when the file's block is not what the registry generates.
import type { ActionCatalog } from './catalog.ts';
import { actionNames } from './catalog.ts';

export const ACTIONS_BEGIN = '<!-- actions:begin (generated from src/actions by `npx tsx scripts/gen-runbook-doc.ts`; test/unit/runbook-docs.test.ts fails when stale) -->';
export const ACTIONS_END = '<!-- actions:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The table: one row per action, in the catalog's order. */
export function actionsTable(catalog: ActionCatalog): string {
  const rows = actionNames(catalog).map((a) => `| \`${a}\` | ${cell(catalog[a]!.doc.keys)} | ${cell(catalog[a]!.doc.does)} |`);
  return ['| action | keys (defaults) | does |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** The document with the block between the markers replaced by the catalog's table; the rest stays byte-identical. */
export function withActionsTable(doc: string, catalog: ActionCatalog): string {
  const begin = doc.indexOf(ACTIONS_BEGIN);
  const end = doc.indexOf(ACTIONS_END, begin + 1);
  if (begin < 0 || end < 0) throw new Error(`docs/runbook.md: the markers ${ACTIONS_BEGIN} … ${ACTIONS_END} are missing; put them around the "Actions and their keys" table`);
  return `${doc.slice(0, begin + ACTIONS_BEGIN.length)}\n\n${actionsTable(catalog)}\n${doc.slice(end)}`;
}
