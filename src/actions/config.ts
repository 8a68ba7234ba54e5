// config.set: instance config keys such as boot.autostart and security.protection.delete; remembers the
// previous value so rollback = "auto" restores it (or unsets a key that was not set).
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { str } from './params.ts';

export const configSet: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const key = await str(step, ctx, 'key');
    const value = await str(step, ctx, 'value');
    const previous = await ctx.runtime.getConfig(container, key);
    ctx.emit({ kind: 'command', argv: ['incus', 'config', 'set', container, `${key}=${value}`] });
    await ctx.runtime.setConfig(container, key, value);
    const now = await ctx.runtime.getConfig(container, key);
    if (now !== value) throw new ActionError(`${container}: ${key} reads "${now}" after setting "${value}"`, { container, key, previous });
    return { summary: `${container} ${key}: ${previous === '' ? '(unset)' : previous} → ${value}`, changed: { container, key, previous } };
  },
  async undo(_step, changed, ctx) {
    const container = String(changed.container);
    const key = String(changed.key);
    const previous = String(changed.previous ?? '');
    if (previous === '') await ctx.runtime.unsetConfig(container, key);
    else await ctx.runtime.setConfig(container, key, previous);
    return { summary: `${container} ${key} back to ${previous === '' ? '(unset)' : previous}` };
  },
};
