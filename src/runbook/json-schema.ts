// The runbook as JSON Schema: the zod schema with `steps` replaced by one strict shape per action.
import { z } from 'zod';
import { Runbook, StepBase } from './schema.ts';
import { actionNames, type ActionCatalog } from './catalog.ts';

export function runbookJsonSchema(catalog: ActionCatalog): Record<string, unknown> {
  const perAction = actionNames(catalog).map((a) => z.strictObject({ ...StepBase.shape, ...catalog[a]!.params.shape, action: z.literal(a) }));
  const withSteps = Runbook.extend({ steps: z.array(z.discriminatedUnion('action', perAction as [(typeof perAction)[number], ...typeof perAction])).min(1) });
  const schema = z.toJSONSchema(withSteps, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'cutover runbook', description: 'A cutover runbook (TOML). Fields: docs/runbook.md.' };
}
