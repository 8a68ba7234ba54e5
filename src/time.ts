// Timestamps in the forms operators see in file names and reports.

/** YYYYMMDD-HHMMSS in UTC, as in Caddyfile.bak.<label>-20260510-004551. */
export function compactTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
