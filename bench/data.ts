// Bench data sizes and generated data: full runs use 1 GiB (issue 10), --quick a few MiB.
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const FULL_BYTES = 1024 * 1024 * 1024;
export const QUICK_BYTES = 8 * 1024 * 1024;

export function dataBytes(quick: boolean): number {
  const env = Number(process.env.CUTOVER_BENCH_BYTES);
  if (Number.isFinite(env) && env > 0) return env;
  return quick ? QUICK_BYTES : FULL_BYTES;
}

/** Log-like text: compresses about 5:1 with gzip -6, like service logs and dumps. */
function textBlock(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  const statuses = [200, 200, 200, 401, 410, 304];
  for (let i = 0; size < bytes; i++) {
    const line = `2025-06-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07Z INFO req=${randomBytes(6).toString('hex')} host=user${i % 300}.posta.no path=/api/v1/identity status=${statuses[i % statuses.length]} ms=${(i * 7919) % 900}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/**
 * A module's data directory of about `total` bytes: 3/4 text, 1/4 random (already-compressed media,
 * encrypted blobs), in files of up to 32 MiB plus a spread of small files.
 */
export function writeDataDir(dir: string, total: number): { files: number; bytes: number } {
  const chunk = 4 * 1024 * 1024;
  const text = textBlock(chunk);
  const random = randomBytes(chunk);
  const fileSize = Math.min(32 * 1024 * 1024, Math.max(64 * 1024, Math.floor(total / 16)));
  let written = 0;
  let files = 0;
  mkdirSync(join(dir, 'small'), { recursive: true });
  for (let i = 0; written < total; i++) {
    const small = i % 8 === 7;
    const size = Math.min(small ? 16 * 1024 : fileSize, total - written);
    const path = small ? join(dir, 'small', `note-${i}.txt`) : join(dir, `blob-${i}.${i % 4 === 3 ? 'bin' : 'log'}`);
    const src = !small && i % 4 === 3 ? random : text;
    const fd = openSync(path, 'w', 0o600);
    try {
      for (let off = 0; off < size; off += chunk) writeSync(fd, src, 0, Math.min(chunk, size - off));
    } finally {
      closeSync(fd);
    }
    written += size;
    files++;
  }
  return { files, bytes: written };
}

export function fmtSize(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 ? 2 : 0)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}
