// The event contract between the drivers (apply/run/rollback) and the report: what `changed` each
// action records on its `succeeded` step event. The report is rendered from these and nothing else, so a
// driver that records less gets a report with gaps ("not recorded"). Secrets never appear here: token
// values are masked (TokenItem.tokenMasked) and the journal scrubs registered secrets anyway.
import type { SmokeItem, TokenItem } from '../../checks/types.ts';

/** container.create */
export interface CreatedContainer {
  container: string;
  image: string;
  profile?: string;
  /** IPv4 as `incus list` reported it right after the start. */
  ipv4?: string | null;
}

/** file.push and file.write */
export interface WrittenFile {
  container: string;
  path: string;
  mode: string;
  owner?: string;
  size: number;
  sha256: string;
  /** file.push: the local source, and what it was built from (e.g. "9a656c6 on multi-tenant-rollout"). */
  source?: string;
  revision?: string;
  /** file.write: the content written (runbook text, never secret); the report quotes init commands from it. */
  content?: string;
  /** What was there before (for rollback), with its backup when one was taken. */
  previous?: { existed: boolean; sha256?: string; backupPath?: string };
}

/** dir.create */
export interface CreatedDir {
  container: string;
  path: string;
  mode: string;
  owner?: string;
  created: boolean;
}

/** service.stop / service.start */
export interface ServiceChange {
  container: string;
  service: string;
  /** State before the step, so rollback knows whether to undo. */
  wasRunning: boolean | null;
}

/** copy (one file; sqlite copies include their -wal/-shm and an integrity check). */
export interface CopiedFile {
  fromContainer: string;
  from: string;
  toContainer: string;
  to: string;
  size: number;
  sha256: string;
  mode: string;
  owner?: string;
  sqlite?: { integrity: string; schemaVersion?: number | null; tables?: Record<string, { rows: number; maxRowid: number | null }> };
}

/** config.set */
export interface ConfigChange {
  container: string;
  key: string;
  /** Previous value; null when the key was unset (rollback unsets it). */
  from: string | null;
  to: string;
}

/** proxy.repoint: the Caddyfile edit, per site old → new dials, and the backup taken first. */
export interface ProxyRepoint {
  caddyfile: string;
  sites: { site: string; from: string[]; to: string[] }[];
  backupPath: string;
  /** How the proxy was reloaded, e.g. "caddy reload --config /etc/caddy/Caddyfile". */
  reload?: string;
}

/** smoke */
export interface SmokeResult {
  vantage: 'local' | 'public';
  items: SmokeItem[];
}

/** tokens.survival: per identity, its tokens with masked values and last-seen times. */
export interface TokenSurvival {
  items: TokenItem[];
}

/** baseline: fingerprints are also stored with journal.recordKeyBaseline / recordTokenBaseline. */
export interface BaselineTaken {
  keys: { identity: string; fingerprint: string; publicKeyPrefix?: string }[];
  tokens: number;
}

/** backup (class A–G, S): where the archive went and how to check it. */
export interface BackupTaken {
  container: string;
  paths: string[];
  archive: string;
  size: number;
  sha256: string;
}

/** gate.stability: the window, the earliest date it opens, and whether a waiver let it pass early. */
export interface StabilityGate {
  window: string;
  earliest: number;
  waived?: { who: string; reason: string; at: number };
}

/** container.delete */
export interface DeletedContainer {
  container: string;
  forced: boolean;
  /** The last off-ramp: `incus export` tarball (0600), if one was taken. */
  archive?: string;
  /** Status just before deletion (e.g. "Running" after an autostart). */
  statusBefore?: string | null;
}

/** The `changed` payload by action, for drivers to type what they record. */
export interface ChangedByAction {
  'container.create': CreatedContainer;
  'file.push': WrittenFile;
  'file.write': WrittenFile;
  'dir.create': CreatedDir;
  'service.stop': ServiceChange;
  'service.start': ServiceChange;
  copy: CopiedFile;
  'config.set': ConfigChange;
  'proxy.repoint': ProxyRepoint;
  smoke: SmokeResult;
  'tokens.survival': TokenSurvival;
  baseline: BaselineTaken;
  backup: BackupTaken;
  'gate.stability': StabilityGate;
  'container.delete': DeletedContainer;
}
