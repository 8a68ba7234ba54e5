// config.set: set an instance config key (boot.autostart, security.protection.delete …). The previous value is
// journaled (intent) before the set, so rollback = "auto" restores it (or unsets a key that was not set) even when
// the driver died between the set and its result.
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container, q, refContainer, str as planStr } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { given, str } from './params.ts';
import { crashPoint } from '../crash-point.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

const shown = (v: string) => (v === '' ? '(unset)' : v);

export const configSet: Action = {
  params: z.strictObject({ container: tmpl, key: z.string().min(1), value: z.string() }),
  example: { container: 'posta', key: 'boot.autostart', value: 'true' },
  doc: {
    keys: '`container`, `key`, `value`',
    does: '`incus config set` (e.g. `boot.autostart=false`, `security.protection.delete=true`); undo restores the old value',
  },
  plan: (p, rb) => [`incus config set ${container(p, rb)} ${planStr(p, 'key')}=${q(planStr(p, 'value'))}   (previous value kept for undo)`],
  undo: {
    kind: 'auto',
    plan: (step) => `auto: incus config set ${String(step.params.container)} ${String(step.params.key)} back to its previous value`,
    byHand: (changed, step, ref) => {
      const c = changed as { container: string; key: string; from: string | null } | null;
      if (!c) return [`restore ${String(step.params.key)} on ${ref(String(step.params.container))} (previous value not recorded)`];
      return [c.from === null ? `incus config unset ${ref(c.container)} ${c.key}` : `incus config set ${ref(c.container)} ${c.key}=${c.from}`];
    },
    fromIntent: (i) => ({ container: i.container, key: i.key, from: i.previous === '' || i.previous === undefined ? null : i.previous }),
    async run(_step, changed, ctx) {
      if (typeof changed.container !== 'string' || typeof changed.key !== 'string') return { summary: 'no config change was journaled (the step never reached its set): nothing to undo' };
      const container = changed.container;
      const key = changed.key;
      const at = instanceRef(ctx.runbook, container);
      const previous = String(changed.previous ?? '');
      // From the world: the value now, not whether the step recorded a result.
      const current = await need(ctx.runtime, 'config').getConfig(container, key);
      if (current === previous) return { summary: `${at} ${key} is ${shown(previous)} as before: nothing to undo` };
      if (previous === '') {
        await need(ctx.runtime, 'config').unsetConfig(container, key);
      } else {
        await need(ctx.runtime, 'config').setConfig(container, key, previous);
      }
      const after = await need(ctx.runtime, 'config').getConfig(container, key);
      if (after !== previous) throw new ActionError(`${at}: ${key} reads "${after}" after restoring "${previous}"`);
      return { summary: `${at} ${key}: ${shown(current)} → back to ${shown(previous)}` };
    },
  },
  byHand: (p, ref) => [`incus config set ${refContainer(p, ref)} ${String(p.key)}=${String(p.value)}`],
  preflight: { none: 'the previous value is read (and kept for the undo) when the step runs' },
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const key = await str(step, ctx, 'key');
    const value = await str(step, ctx, 'value');
    const at = instanceRef(ctx.runbook, container);
    const previous = await need(ctx.runtime, 'config').getConfig(container, key);
    ctx.intend?.({ container, key, previous });
    crashPoint('config.set:before-set', step.key);
    await need(ctx.runtime, 'config').setConfig(container, key, value);
    crashPoint('config.set:after-set', step.key);
    const now = await need(ctx.runtime, 'config').getConfig(container, key);
    if (now !== value) throw new ActionError(`${at}: ${key} reads "${now}" after setting "${value}"`, { container, key, previous });
    return { summary: `${at} ${key}: ${shown(previous)} → ${value}`, changed: { container, key, previous } };
  },
  /** ConfigChange in src/journal/events.ts; `from` is the value before the first attempt (its intent wins). */
  report(step, result, extras) {
    const undo = { ...(result.changed ?? {}), ...(extras.intent ?? {}) };
    const previous = typeof undo.previous === 'string' ? undo.previous : '';
    return { container: result.changed?.container, key: result.changed?.key, from: previous === '' ? null : previous, to: given(step, 'value') };
  },
};
