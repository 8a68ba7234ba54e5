// What a step journals as `changed`: the report's event contract (src/journal/events.ts) built from the
// executor's result, plus `undo`: the executor's own record, which rollback hands back to its undo(). Pure.
import type { ActionResult } from '../actions/types.ts';
import type { ResolvedStep } from '../engine/types.ts';

type Loose = Record<string, unknown>;

export interface ChangedExtras {
  /** container.create: the instance's IPv4 right after the start. */
  ipv4?: string | null;
  /** Values captured before the first attempt (config.set's previous value), kept across re-runs. */
  intent?: Loose;
}

const p = (step: ResolvedStep, key: string, fallback?: string): string | undefined => {
  const v = step.params[key];
  return typeof v === 'string' ? v : fallback;
};

export function journalChanged(step: ResolvedStep, result: ActionResult, extras: ChangedExtras = {}): Loose {
  const undo: Loose = { ...(result.changed ?? {}), ...(extras.intent ?? {}) };
  const c = result.changed ?? {};
  const d = (result.details ?? {}) as Loose;
  const withUndo = (shape: Loose): Loose => ({ ...shape, undo });
  switch (step.action) {
    case 'container.create':
      return withUndo({ container: c.container, image: p(step, 'image'), profile: p(step, 'profile', 'default'), ipv4: extras.ipv4 ?? null });
    case 'file.push':
    case 'file.write':
      return withUndo({
        container: c.container,
        path: c.path,
        mode: d.mode,
        owner: p(step, 'owner', '0:0'),
        size: d.size,
        sha256: d.sha256,
        ...(step.action === 'file.push' ? { source: p(step, 'source') } : { content: p(step, 'content'), previous: { existed: typeof c.previous === 'string' } }),
      });
    case 'dir.create':
      return withUndo({ container: c.container, path: c.path, mode: p(step, 'mode', '0750'), owner: p(step, 'owner', '0:0'), created: c.existed === false });
    case 'service.stop':
    case 'service.start':
      return withUndo({ container: c.container, service: c.service, wasRunning: typeof c.wasRunning === 'boolean' ? c.wasRunning : null });
    case 'copy': {
      const files = Array.isArray(d.files) ? (d.files as Loose[]) : [];
      const main = files[0] ?? {};
      const sqlite = step.params.sqlite === true;
      return withUndo({
        fromContainer: p(step, 'from_container'),
        from: main.from ?? p(step, 'from'),
        toContainer: c.container,
        to: main.to ?? p(step, 'to'),
        size: main.size,
        sha256: main.sha256,
        mode: main.mode,
        owner: p(step, 'owner', '0:0'),
        ...(sqlite ? { sqlite: { integrity: 'ok', ...(main.tables ? { tables: main.tables } : {}) } } : {}),
        ...(files.length > 1 ? { sidecars: files.slice(1) } : {}),
      });
    }
    case 'config.set': {
      const previous = typeof undo.previous === 'string' ? undo.previous : '';
      return withUndo({ container: c.container, key: c.key, from: previous === '' ? null : previous, to: p(step, 'value') });
    }
    default:
      return withUndo({ ...c });
  }
}

/** The executor's own record from a journaled `changed` (older records without `undo` are used as they are). */
export function undoRecord(changed: unknown): Loose | null {
  if (!changed || typeof changed !== 'object') return null;
  const c = changed as Loose;
  return c.undo && typeof c.undo === 'object' ? (c.undo as Loose) : c;
}
