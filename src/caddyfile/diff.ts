// The unified diff shown to the operator before a Caddyfile is written.
import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(path: string, oldText: string, newText: string): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(path, path, oldText, newText, 'live', 'repointed', { context: 3 });
}
