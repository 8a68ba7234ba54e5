// Reading resolved step params: run-time templates resolved, types checked, with the step named on error.
import type { ResolvedStep } from '../engine/types.ts';
import type { ActionContext } from './types.ts';
import { ActionError } from './types.ts';

export async function str(step: ResolvedStep, ctx: ActionContext, key: string): Promise<string> {
  const v = step.params[key];
  if (typeof v !== 'string') throw new ActionError(`${step.key}: parameter "${key}" is missing`);
  return ctx.resolve(v);
}

export async function optStr(step: ResolvedStep, ctx: ActionContext, key: string): Promise<string | undefined> {
  const v = step.params[key];
  return typeof v === 'string' ? ctx.resolve(v) : undefined;
}

/** A string param as the step has it (templates not resolved), else `fallback`: for report fields. */
export function given(step: ResolvedStep, key: string, fallback?: string): string | undefined {
  const v = step.params[key];
  return typeof v === 'string' ? v : fallback;
}

export function bool(step: ResolvedStep, key: string, fallback: boolean): boolean {
  const v = step.params[key];
  return typeof v === 'boolean' ? v : fallback;
}

export async function strList(step: ResolvedStep, ctx: ActionContext, key: string): Promise<string[]> {
  const v = step.params[key];
  if (!Array.isArray(v)) throw new ActionError(`${step.key}: parameter "${key}" must be a list`);
  return Promise.all(v.map((x) => ctx.resolve(String(x))));
}

export function parseMode(mode: string): number {
  return parseInt(mode, 8);
}

/** "0:0" → {uid:0,gid:0}; "posta:posta" → names (applied with chown inside the container). */
export function parseOwner(owner: string): { uid?: number; gid?: number; spec: string } {
  const [u, g] = owner.split(':');
  const uid = u !== undefined && /^\d+$/.test(u) ? Number(u) : undefined;
  const gid = g !== undefined && /^\d+$/.test(g) ? Number(g) : uid;
  return { uid, gid, spec: owner };
}
