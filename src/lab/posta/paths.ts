// Container paths under a lab rootfs: with --root DIR, /var/lib/posta/x lives at DIR/var/lib/posta/x.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PostaError } from './errors.ts';

/** Resolves `path` inside `root` (when given), refusing any path that would land outside it. */
export function resolveInRoot(root: string | undefined, path: string): string {
  if (root === undefined) return path;
  const base = resolve(root);
  const mapped = join(base, path);
  const rel = relative(base, mapped);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) throw new PostaError(`path ${path} escapes --root ${root}`, 2);
  return mapped;
}
