// tar.gz archives. GNU tar (through execa) walks the tree and writes the tar stream: it already handles
// long names, hard links, sparse files, special files, ownership, `..` members and "file changed as we
// read it" — a hand-written ustar writer would have to re-learn all of that. Node streams the tar bytes
// through zlib (in the thread pool) and a tar-header parser that hashes each member, so nothing is held
// in memory and every file is read once.
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { execa } from 'execa';
import { BackupError, tempPathFor } from './contract.ts';
import { TarEntryHasher } from './tar-reader.ts';
import type { ArchiveEntry, ProgressFn } from './types.ts';

export interface ArchiveResult {
  size: number;
  sha256: string;
  entries: ArchiveEntry[];
  /** Non-fatal tar warnings, e.g. a file that changed while it was read (live data). */
  warnings: string[];
}

/** Archives `members` (relative to cwd) into outPath (0600, temp name then rename). */
export async function createArchive(opts: { cwd: string; members: string[]; outPath: string; onProgress?: ProgressFn; totalBytes?: number; phase?: string }): Promise<ArchiveResult> {
  if (opts.members.length === 0) throw new BackupError('nothing to archive: no paths');
  const tmp = tempPathFor(opts.outPath);
  const tar = execa('tar', ['--create', '--file=-', `--directory=${opts.cwd}`, '--sort=name', '--numeric-owner', '--', ...opts.members], {
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    reject: false,
  });
  const lister = new TarEntryHasher();
  let tarBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      tarBytes += chunk.length;
      opts.onProgress?.({ phase: opts.phase ?? 'archive', bytes: tarBytes, totalBytes: opts.totalBytes });
      cb(null, chunk);
    },
  });
  // One source feeding two pipelines (gzip → file, and the lister) adds more listeners than the default cap.
  counter.setMaxListeners(32);
  const hashOut = hashingTap();
  try {
    const out = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
    const tee = pipeline(tar.stdout!, counter);
    const toFile = pipeline(counter, createGzip({ chunkSize: 256 * 1024 }), hashOut.stream, out);
    const toLister = pipeline(counter, lister);
    const [result] = await Promise.all([tar, tee, toFile, toLister]);
    const stderr = String(result.stderr ?? '').trim();
    if (result.exitCode !== 0 && result.exitCode !== 1) throw new BackupError(`tar failed (exit ${result.exitCode}) in ${opts.cwd}: ${stderr || 'no message'}`);
    chmodSync(tmp, 0o600);
    renameSync(tmp, opts.outPath);
    return { ...hashOut.result(), entries: lister.entries, warnings: stderr ? stderr.split('\n') : [] };
  } catch (err) {
    tar.kill();
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Lists a tar.gz's members with their sha256, streaming (verify and drills). */
export async function listArchive(path: string): Promise<ArchiveEntry[]> {
  const lister = new TarEntryHasher();
  await pipeline(createReadStream(path), createGunzip(), lister);
  return lister.entries;
}

/** Extracts a tar.gz into dir with GNU tar (which refuses `..` and absolute members). */
export async function extractArchive(path: string, dir: string): Promise<void> {
  const tar = execa('tar', ['--extract', '--file=-', `--directory=${dir}`, '--numeric-owner'], { stdin: 'pipe', reject: false, stderr: 'pipe' });
  // tar stops reading at the end-of-archive blocks, so the zero padding after them may hit a closed pipe.
  const fed = pipeline(createReadStream(path), createGunzip(), tar.stdin!).then(
    () => null,
    (err: NodeJS.ErrnoException) => err,
  );
  const r = await tar;
  const feedError = await fed;
  if (r.exitCode !== 0) throw new BackupError(`tar could not extract ${path} into ${dir}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
  if (feedError && feedError.code !== 'EPIPE' && feedError.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw new BackupError(`cannot read ${path}: ${feedError.message}`);
}

/** gzip src into dest (0600, temp name then rename), hashing what is written. */
export async function gzipFileTo(src: string, dest: string): Promise<{ size: number; sha256: string }> {
  const tmp = tempPathFor(dest);
  const tap = hashingTap();
  try {
    await pipeline(createReadStream(src), createGzip({ chunkSize: 256 * 1024 }), tap.stream, createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
    chmodSync(tmp, 0o600);
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tap.result();
}

/** A pass-through stream that counts and hashes (sha256) what flows through it: the file as written. */
function hashingTap(): { stream: Transform; result: () => { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}

export async function gunzipFileTo(src: string, dest: string): Promise<void> {
  await pipeline(createReadStream(src), createGunzip(), createWriteStream(dest, { mode: 0o600 }));
}
