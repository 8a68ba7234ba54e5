// What preflight reports and the facts it judges. The facts are read from the world by src/preflight/world.ts;
// the rules (src/preflight/rules.ts) are pure functions of them.
import type { Instance } from '../ports.ts';

export interface PreflightItem {
  level: 'blocker' | 'warning';
  code: string;
  message: string;
  /** The file the problem is in (the Caddyfile, or the runbook), and its 1-based line when known. */
  file: string | null;
  line: number | null;
  fix: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export interface CaddyFacts {
  path: string;
  /** What is at the path. */
  kind: 'file' | 'missing' | 'directory' | 'other' | 'unreadable';
  error?: string;
  text?: string;
  /** `caddy adapt` of the file on disk. */
  adapted?: Read<unknown>;
  /** GET /config/ of the admin API. */
  live?: Read<unknown>;
}

/** A file a copy step reads from a legacy container, and what is there. */
export interface SourceFile {
  stepKey: string;
  container: string;
  path: string;
  /** Size in bytes; null when missing or unreadable. */
  size: number | null;
  error?: string;
}

export interface SpaceFact {
  /** "state dir" or "target posta:/var/lib/posta" */
  what: string;
  path: string;
  availableBytes: number | null;
  error?: string;
}

export interface SmokeFact {
  identity: string;
  check: string;
  ok: boolean;
  why: string;
}

/** Hold mode ([proxy] hold): what decides whether Caddy can hold the runbook's requests. */
export interface HoldFacts {
  /** `caddy version` of proxy.binary. */
  version: Read<string>;
  /** `caddy adapt` of the Caddyfile with the hold lines added; null when they cannot be added (a hold blocker says why). */
  adapted: Read<unknown> | null;
  /** Who sends requests with a body through the held sites: smoke checks with POST, the lab's devices. */
  bodies: string[];
}

export interface WorldFacts {
  caddy?: CaddyFacts;
  hold?: HoldFacts;
  instances: Read<Instance[]>;
  /** The lab directory (holding lab.json) the runtime binary and the Caddyfile resolve into, if any. */
  lab: { runtime: string | null; proxy: string | null; runtimeBinary: string; caddyfile: string | null };
  sources: SourceFile[];
  space: SpaceFact[];
  /** The public smoke of the legacy path; null when not run (no proxy, or no legacy path to test). */
  smoke: SmokeFact[] | null;
}

export interface PreflightResult {
  items: PreflightItem[];
  /** The whole Caddyfile diff the repoint will make (target address as a placeholder until it exists). */
  diff: string | null;
  /** Sites the runbook does not own that dial a legacy container, with their dials. */
  otherSites: { host: string; dials: string[]; acknowledged: boolean }[];
  /** The files the copy steps will read, with their sizes (null: missing). */
  sources: SourceFile[];
  /** Free space found (state dir, target). */
  space: SpaceFact[];
}
