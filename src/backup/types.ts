// Shapes shared by the backup classes, the manifest on disk and the commands that read it.

/** Backup classes from the platform's contract (seed 003) plus S (sqlite + single files, the posta case). */
export const BACKUP_CLASSES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'S'] as const;
export type BackupClass = (typeof BACKUP_CLASSES)[number];

export const CLASS_TITLES: Record<BackupClass, string> = {
  A: 'postgres (pg_dumpall, gzip)',
  B: 'redis (BGSAVE, data dir archive)',
  C: 'vault (raft snapshot, else mount archive)',
  D: 'minio (mc mirror, else mount archive)',
  E: 'mounted data archive',
  F: 'engine-specific dump, else mount archive',
  G: 'separate-root archive',
  S: 'sqlite online backup + single files',
};

export type RuntimeKind = 'host' | 'incus' | 'docker';

/** One member of a tar archive, as listed in the manifest and compared by drills. */
export interface ArchiveEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  mode: number;
  /** sha256 of the content (files only). */
  sha256?: string;
  linkTarget?: string;
}

export interface BackupFileRecord {
  /** File name relative to the manifest's directory. */
  name: string;
  kind: 'tar.gz' | 'sql.gz' | 'snapshot' | 'dump';
  size: number;
  sha256: string;
  /** Members of a tar.gz, with their own sha256 (drills compare these). */
  entries?: ArchiveEntry[];
}

export interface BackupManifest {
  format: 'cutover-backup/1';
  module: string;
  class: BackupClass;
  /** What was actually done, e.g. "pg_dumpall", "bgsave+archive", "archive (fallback: no VAULT_TOKEN)". */
  method: string;
  runtime: RuntimeKind;
  container: string;
  source: { paths: string[]; endpoint?: string; detail?: Record<string, string> };
  files: BackupFileRecord[];
  tools: Record<string, string>;
  notes: string[];
  created: string;
  durationMs: number;
}

export interface Progress {
  phase: string;
  bytes: number;
  /** Estimated total, when known (drives the ETA). */
  totalBytes?: number;
}
export type ProgressFn = (p: Progress) => void;
