// The pre-cutover baseline `verify` compares against: per identity, values captured from smoke responses
// (the actor's public key) and the device tokens (names + a hash of the secret, never the secret). Pure.
import { createHash } from 'node:crypto';
import { isParseError, parseCondition, type Condition, type Selector } from './conditions.ts';

export interface BaselineToken {
  device: string;
  /** sha256 of the secret, hex: proves the same token survived without storing it. */
  tokenHash: string;
  tokenMasked: string;
  createdAt: string | null;
  lastSeenAt: string | null;
}

export interface IdentityBaseline {
  /** Values referenced as {{baseline.NAME}} in smoke conditions, e.g. public_key. */
  values: Record<string, string>;
  tokens: BaselineToken[];
  schemaVersion: number | null;
}

export interface Baseline {
  runbook: string;
  /** ISO time of recording. */
  recordedAt: string;
  identities: Record<string, IdentityBaseline>;
  /**
   * The world it was taken from: each declared container's creation time (its identity: a rebuilt lab or a
   * recreated container has another). Absent in baselines recorded before this was kept.
   */
  world?: { instances: Record<string, string | null> };
  /** The journal run whose baseline step recorded it; null for `status --baseline` (absent in older baselines). */
  runId?: number | null;
}

/** Where an expectation taken from the baseline comes from, for problem lines: "baseline, run #1". */
export function baselineSource(b: Pick<Baseline, 'runId' | 'recordedAt'> | null | undefined): string {
  if (!b) return 'baseline';
  if (typeof b.runId === 'number') return `baseline, run #${b.runId}`;
  const at = `${b.recordedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return b.runId === null ? `baseline, status --baseline ${at}` : `baseline of ${at}`;
}

/** Long values (keys, tokens) cut to a prefix in problem lines; the full-size panel shows them whole. */
export function shortValue(v: string): string {
  const quoted = v.startsWith('"') && v.endsWith('"') && v.length >= 2;
  const inner = quoted ? v.slice(1, -1) : v;
  if (inner.length <= 16) return v;
  return quoted ? `"${inner.slice(0, 6)}…"` : `${inner.slice(0, 6)}…`;
}

/** The world a baseline is taken in: the declared containers that exist, by creation time. */
export function worldOfInstances(instances: readonly { name: string; createdAt: string | null }[], declared: readonly string[]): Record<string, string | null> {
  return Object.fromEntries(instances.filter((i) => declared.includes(i.name)).map((i) => [i.name, i.createdAt]));
}

/**
 * Why a baseline does not belong to the world seen now (null when it does, or cannot be told): a container
 * it was taken from exists now with another creation time (rebuilt lab, recreated container).
 */
export function otherWorld(baseline: Baseline, instances: readonly { name: string; createdAt: string | null }[]): string | null {
  const then = baseline.world?.instances;
  if (!then) return null;
  const changed = instances.filter((i) => i.name in then && then[i.name] !== null && i.createdAt !== null && then[i.name] !== i.createdAt).map((i) => i.name);
  const from = typeof baseline.runId === 'number' ? `from run #${baseline.runId}` : `recorded ${baseline.recordedAt}`;
  return changed.length ? `baseline ${from} on other instances (${changed.join(', ')} created since) — record a new one (\`v\` / \`status --baseline\`)` : null;
}

/** What a smoke cell or token row needing a baseline says while there is none for this world. */
export const BASELINE_PENDING = 'baseline not recorded yet: step 1 or `status --baseline` records it';

/** Where baselines live. The JSON file store is the default until the journal takes over. */
export interface BaselineStore {
  load(): Promise<Baseline | null>;
  save(baseline: Baseline): Promise<void>;
  /** Where it is kept, for messages ("/…/baseline.json"). */
  readonly location: string;
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A short prefix and an ellipsis: enough to tell tokens apart, never enough to use one. */
export function maskToken(secret: string): string {
  const underscore = secret.indexOf('_');
  const keep = underscore >= 0 && underscore < 6 ? underscore + 1 + 3 : 4;
  return secret.length <= keep + 4 ? '…' : secret.slice(0, keep) + '…';
}

/** Short sha256 fingerprint of a public key, as shown next to it. */
export function fingerprint(value: string): string {
  return 'sha256:' + createHash('sha256').update(value).digest('base64').slice(0, 12);
}

export interface BaselineRef {
  /** The baseline value name: `public_key` in {{baseline.public_key}}. */
  name: string;
  /** What the condition compares it with, to capture when recording. */
  selector: Selector;
}

const BASELINE_RIGHT = /^\{\{\s*baseline\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** Comparisons of the form `<selector> == {{baseline.NAME}}` in a raw (unrendered) condition. */
export function baselineRefs(conditionText: string): BaselineRef[] {
  const parsed = parseCondition(conditionText);
  if (isParseError(parsed)) return [];
  const refs: BaselineRef[] = [];
  const walk = (c: Condition) => {
    if (c.type !== 'compare') return c.parts.forEach(walk);
    const m = BASELINE_RIGHT.exec(c.right);
    if (m && c.op === '==') refs.push({ name: m[1]!, selector: c.left });
  };
  walk(parsed);
  return refs;
}

/** Thrown by the template resolver when a condition needs a baseline value that was never recorded. */
export class MissingBaseline extends Error {
  constructor(readonly field: string, readonly identity: string | undefined) {
    super(`no baseline recorded for ${identity ?? '?'} (${field}); run \`cutover status RUNBOOK --baseline\` before the cutover`);
    this.name = 'MissingBaseline';
  }
}

export function baselineResolver(baseline: Baseline | null): (field: string, identity: string | undefined) => string {
  return (field, identity) => {
    const v = identity ? baseline?.identities[identity]?.values[field] : undefined;
    if (v === undefined) throw new MissingBaseline(field, identity);
    return v;
  };
}
