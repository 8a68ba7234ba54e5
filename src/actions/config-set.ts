// config.set: instance config keys such as boot.autostart and security.protection.delete. The previous value
// is journaled (intent) before the set, so rollback = "auto" restores it (or unsets a key that was not set)
// even when the driver died between the set and its result.
import type { ActionExecutor } from './types.ts';
import { need } from '../ports.ts';
import { ActionError } from './types.ts';
import { given, str } from './params.ts';
import { crashPoint } from '../crash-point.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

const shown = (v: string) => (v === '' ? '(unset)' : v);

export const configSet: ActionExecutor = {
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
  async undo(_step, changed, ctx) {
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
};
