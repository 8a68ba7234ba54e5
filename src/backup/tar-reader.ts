// Streaming tar parser: lists the members of a tar stream and hashes each file's content as it flows by,
// without buffering whole files. Reads GNU (L/K long names) and POSIX/pax headers — what GNU tar writes.
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ArchiveEntry } from './types.ts';

const BLOCK = 512;

interface PaxOverrides {
  path?: string;
  linkpath?: string;
  size?: number;
}

export class TarEntryHasher extends Writable {
  readonly entries: ArchiveEntry[] = [];
  private state: 'header' | 'data' | 'pad' | 'end' = 'header';
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private pad = 0;
  private zeroBlocks = 0;
  private current: { entry: ArchiveEntry; hash?: Hash; meta?: { type: string; parts: Buffer[] } } | undefined;
  private overrides: PaxOverrides = {};

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      this.feed(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.state === 'data' || this.headerFill > 0) cb(new Error('tar stream ends in the middle of a member (truncated archive)'));
    else cb();
  }

  private feed(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && this.state !== 'end') {
      if (this.state === 'header') {
        const take = Math.min(BLOCK - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + take);
        this.headerFill += take;
        off += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.parseHeader(this.header);
        }
      } else if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length - off);
        const piece = chunk.subarray(off, off + take);
        if (this.current?.meta) this.current.meta.parts.push(Buffer.from(piece));
        else this.current?.hash?.update(piece);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.finishMember();
      } else {
        const take = Math.min(this.pad, chunk.length - off);
        this.pad -= take;
        off += take;
        if (this.pad === 0) this.state = 'header';
      }
    }
  }

  private parseHeader(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks >= 2) this.state = 'end';
      return;
    }
    this.zeroBlocks = 0;
    verifyChecksum(h, this.entries.length);
    const type = String.fromCharCode(h[156] ?? 0);
    const posix = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = posix ? cstr(h, 345, 155) : '';
    const rawName = cstr(h, 0, 100);
    const isMeta = type === 'L' || type === 'K' || type === 'x' || type === 'g';
    const rawSize = parseNumber(h, 124, 12);
    const size = isMeta ? rawSize : (this.overrides.size ?? rawSize);
    const entry: ArchiveEntry = {
      path: this.overrides.path ?? (prefix ? `${prefix}/${rawName}` : rawName),
      type: type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'hardlink' : 'other',
      size,
      mode: parseNumber(h, 100, 8) & 0o7777,
    };
    const link = this.overrides.linkpath ?? cstr(h, 157, 100);
    if (entry.type === 'symlink' || entry.type === 'hardlink') entry.linkTarget = link;
    if (!isMeta) this.overrides = {};
    this.current = isMeta ? { entry, meta: { type, parts: [] } } : { entry, hash: entry.type === 'file' ? createHash('sha256') : undefined };
    this.remaining = entry.type === 'dir' || entry.type === 'symlink' || entry.type === 'hardlink' ? 0 : size;
    this.pad = (BLOCK - (this.remaining % BLOCK)) % BLOCK;
    if (this.remaining === 0) this.finishMember();
    else this.state = 'data';
  }

  private finishMember(): void {
    const cur = this.current;
    this.current = undefined;
    this.state = this.pad > 0 ? 'pad' : 'header';
    if (!cur) return;
    if (cur.meta) {
      const data = Buffer.concat(cur.meta.parts);
      if (cur.meta.type === 'L') this.overrides.path = cstr(data, 0, data.length);
      else if (cur.meta.type === 'K') this.overrides.linkpath = cstr(data, 0, data.length);
      else if (cur.meta.type === 'x') Object.assign(this.overrides, parsePax(data));
      return;
    }
    if (cur.entry.path.endsWith('/')) cur.entry.path = cur.entry.path.replace(/\/+$/, '');
    if (cur.hash) cur.entry.sha256 = cur.hash.digest('hex');
    this.entries.push(cur.entry);
  }
}

function cstr(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end === -1 || end > off + len ? off + len : end);
}

/** Octal text, or GNU base-256 when the high bit of the first byte is set (sizes ≥ 8 GiB). */
function parseNumber(b: Buffer, off: number, len: number): number {
  if ((b[off] ?? 0) & 0x80) {
    let v = (b[off] ?? 0) & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[off + i] ?? 0);
    return v;
  }
  const text = cstr(b, off, len).trim();
  return text ? parseInt(text, 8) : 0;
}

function verifyChecksum(h: Buffer, index: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  if (sum !== parseNumber(h, 148, 8)) throw new Error(`tar header ${index + 1} has a bad checksum (corrupted archive)`);
}

function parsePax(data: Buffer): PaxOverrides {
  const out: PaxOverrides = {};
  let off = 0;
  while (off < data.length) {
    const space = data.indexOf(0x20, off);
    if (space === -1) break;
    const len = parseInt(data.toString('latin1', off, space), 10);
    if (!(len > 0)) break;
    const record = data.toString('utf8', space + 1, off + len - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'linkpath') out.linkpath = value;
    else if (key === 'size') out.size = Number(value);
    off += len;
  }
  return out;
}
