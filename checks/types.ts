// The four panels' observations: what every probe returns and what status/verify/the cockpit render.
// `ok` is null while unknown (not yet checked, or could not be checked: see `error`).

export interface Verdict {
  ok: boolean | null;
  /** What was expected and what came back, in words an operator reads. */
  expected: string;
  actual: string;
  /** Why it is red, naming the thing (identity, site, container, token). */
  why?: string;
  /** With ok null: nothing is wrong, the expectation does not exist yet (no baseline for this world …); drawn as ·. */
  pending?: string;
}

export interface ContainerItem extends Verdict {
  name: string;
  role: 'legacy' | 'target' | 'other';
  status: string | null;
  ipv4: string | null;
  type: string | null;
  autostart: boolean | null;
  protectedDelete: boolean | null;
  lastUsedAt: string | null;
  /** `REMOTE:NAME` when the runbook reaches Incus through a remote (runtime.remote): how panels name it. */
  ref?: string;
}

export interface UpstreamItem extends Verdict {
  site: string;
  /** dial(s) in the Caddyfile on disk (via caddy adapt). */
  fileDials: string[];
  /** dial(s) in the live config (admin API), found by host match. */
  liveDials: string[];
  /** Live pool from /reverse_proxy/upstreams, per dial. */
  pool: { address: string; numRequests: number; fails: number }[];
  drift: boolean;
  /** Container the live dial points at, if it is one of the declared ones. */
  pointsAt: string | null;
}

export type Vantage = 'local' | 'public';

export interface SmokeItem extends Verdict {
  identity: string;
  check: string;
  vantage: Vantage;
  status: number | null;
  timeMs: number | null;
  /** Timeout, connection refused … */
  error?: string;
  /** Why the probe got no answer, as a code (the panel marks timeouts from it, never from the text). */
  failure?: 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'other' | 'setup';
  /** Where the probe went: the URL (local: the container's address; public: through the proxy). */
  url?: string;
  /** Each condition with its own result. */
  conditions: { condition: string; ok: boolean; actual: string }[];
}

export interface TokenItem extends Verdict {
  identity: string;
  device: string;
  /** Masked: a short prefix and an ellipsis, never the secret. */
  tokenMasked: string;
  createdAt: string | null;
  lastSeenAt: string | null;
  /** Present in the baseline and still present (null without a baseline). */
  survived: boolean | null;
  /** PRAGMA user_version of the DB the row was read from (null when it could not be read). */
  schemaVersion?: number | null;
}

export type PanelName = 'containers' | 'upstreams' | 'smoke' | 'tokens';

export interface Panel<T extends Verdict> {
  panel: PanelName;
  ok: boolean | null;
  items: T[];
  /** The panel could not be checked at all (incus missing, admin API down …). */
  error?: string;
  checkedAt: number;
  durationMs: number;
}

export interface Snapshot {
  ok: boolean | null;
  /**
   * What state the world is in by the journal (src/engine/expect.ts World: before, mid-run, after, rolling-back,
   * rolled-back, decommissioned), with its words; absent when the containers could not be listed.
   */
  world?: { kind: string; runId?: number; text: string };
  containers: Panel<ContainerItem>;
  upstreams: Panel<UpstreamItem>;
  smoke: Panel<SmokeItem>;
  tokens: Panel<TokenItem>;
}
