// Streaming sha256 of files and directory trees (never a whole file in memory).
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArchiveEntry } from './types.ts';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

/** Bytes under the given paths (files' sizes; directories walked, symlinks not followed). */
export function treeSize(paths: string[]): number {
  let total = 0;
  const walk = (p: string) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else if (st.isFile()) total += st.size;
  };
  for (const p of paths) walk(p);
  return total;
}

/** Entries of a directory tree, paths relative to `base` + prefix, sorted — shaped like archive entries. */
export async function treeEntries(base: string, prefix = ''): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  const walk = async (rel: string) => {
    const abs = join(base, rel);
    const st = lstatSync(abs);
    const path = join(prefix, rel);
    if (st.isDirectory()) {
      if (rel) out.push({ path, type: 'dir', size: 0, mode: st.mode & 0o7777 });
      for (const name of readdirSync(abs).sort()) await walk(rel ? join(rel, name) : name);
    } else if (st.isFile()) out.push({ path, type: 'file', size: st.size, mode: st.mode & 0o7777, sha256: await sha256File(abs) });
    else if (st.isSymbolicLink()) out.push({ path, type: 'symlink', size: 0, mode: st.mode & 0o7777, linkTarget: readlinkSync(abs) });
  };
  await walk('');
  return out;
}

/** Differences between two entry lists by path, type, size and sha256 (empty when equal). */
export function compareEntries(expected: ArchiveEntry[], actual: ArchiveEntry[], limit = 20): string[] {
  const problems: string[] = [];
  const got = new Map(actual.filter((e) => e.type !== 'hardlink').map((e) => [e.path, e]));
  for (const e of expected) {
    if (e.type === 'hardlink') continue;
    const a = got.get(e.path);
    if (!a) problems.push(`missing: ${e.path}`);
    else if (a.type !== e.type) problems.push(`${e.path}: type ${a.type}, expected ${e.type}`);
    else if (e.type === 'file' && (a.size !== e.size || a.sha256 !== e.sha256)) problems.push(`${e.path}: content differs (size ${a.size} vs ${e.size}, sha256 ${a.sha256?.slice(0, 12)} vs ${e.sha256?.slice(0, 12)})`);
    else if (e.type === 'symlink' && a.linkTarget !== e.linkTarget) problems.push(`${e.path}: symlink target differs`);
    got.delete(e.path);
  }
  for (const extra of got.keys()) problems.push(`unexpected: ${extra}`);
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}

/** Entries for archive members (relative to base), in the same shape the tar reader produces. */
export async function entriesUnder(base: string, members: string[]): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for (const m of members) {
    const st = lstatSync(join(base, m), { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      out.push({ path: m, type: 'dir', size: 0, mode: st.mode & 0o7777 });
      out.push(...(await treeEntries(join(base, m), m)));
    } else if (st.isFile()) out.push({ path: m, type: 'file', size: st.size, mode: st.mode & 0o7777, sha256: await sha256File(join(base, m)) });
    else if (st.isSymbolicLink()) out.push({ path: m, type: 'symlink', size: 0, mode: st.mode & 0o7777, linkTarget: readlinkSync(join(base, m)) });
  }
  return out;
}
