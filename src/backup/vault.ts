// Class C: what `vault operator raft snapshot save FILE` tells us. It prints nothing and exits 0 on success;
// exit 1 for bad arguments; exit 2 for API errors ("Error taking the snapshot: Error making API request. …
// Code: 403. Errors: * permission denied", 503 when sealed, standby nodes: "incomplete snapshot"), and the
// file is opened lazily, so a failed save leaves no file. Source: hashicorp/vault
// command/operator_raft_snapshot_save.go; recorded in test/fixtures/cli-contracts/vault-snapshot-save.json.

/** One-line reason for a failed snapshot save, for the fallback note. */
export function vaultSnapshotFailure(exitCode: number, stderr: string): string {
  const code = /Code:\s*(\d{3})/.exec(stderr)?.[1];
  const detail = /\*\s*(.+)/.exec(stderr)?.[1]?.trim() ?? stderr.trim().split('\n')[0] ?? '';
  if (code === '403') return `permission denied (HTTP 403): the VAULT_TOKEN lacks sys/storage/raft/snapshot read`;
  if (code === '503') return `vault is sealed or unavailable (HTTP 503): ${detail}`;
  if (/incomplete snapshot/i.test(stderr)) return 'the node is a standby: snapshots come from the active node (set VAULT_ADDR to it)';
  if (exitCode === 127) return 'the vault CLI is not in the target';
  return `exit ${exitCode}${code ? `, HTTP ${code}` : ''}: ${detail || 'no message'}`;
}
