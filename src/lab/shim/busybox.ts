// `incus exec` inside a lab container: a small busybox-like set of commands working on the container's
// rootfs folder. Unknown commands exit 127, like a shell would.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { setEnabledService } from '../containers.ts';
import { rootfsDir } from '../layout.ts';
import { serviceStatus, startService, stopService, type ServiceResult } from '../services.ts';
import type { LabContainer } from '../state.ts';
import { parseScript, runScript, ShellSyntaxError, type ScriptCommand } from './sh.ts';

export interface ExecIO {
  out(s: string): void;
  err(s: string): void;
}

interface Ctx {
  dir: string;
  c: LabContainer;
  root: string;
  cwd: string;
  io: ExecIO;
  /** `incus exec`'s standard input (read on first use). */
  stdin?: () => Buffer;
}

type Command = (ctx: Ctx, args: string[]) => Promise<number> | number;

class Fail extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** Like busybox and coreutils: a missing file is reported on stderr, the others are still done, exit 1. */
function eachFile(ctx: Ctx, paths: string[], cmd: string, fn: (path: string, host: string) => void): number {
  let code = 0;
  for (const p of paths) {
    try {
      fn(p, existing(ctx, p, cmd));
    } catch (err) {
      if (!(err instanceof Fail)) throw err;
      ctx.io.err(err.message + '\n');
      code = 1;
    }
  }
  return code;
}

export const COMMANDS: Record<string, Command> = {
  sh: (ctx, args) => {
    if (args[0] !== '-c' || args[1] === undefined) throw new Fail("sh: the lab's shell runs only `sh -c SCRIPT [NAME [ARG…]]`", 2);
    let commands: ScriptCommand[];
    try {
      commands = parseScript(args[1], args.slice(3));
    } catch (err) {
      if (err instanceof ShellSyntaxError) throw new Fail(err.message, 2);
      throw err;
    }
    return runScript(commands, (argv) => execInContainer(ctx.dir, ctx.c, argv, ctx.io, ctx.cwd));
  },
  true: () => 0,
  false: () => 1,
  echo: (ctx, args) => (ctx.io.out(args.join(' ') + '\n'), 0),
  service: (ctx, args) => service(ctx, args[0], args[1]),
  'rc-service': (ctx, args) => service(ctx, args[0], args[1]),
  'rc-update': (ctx, args) => {
    const [verb, name] = args;
    if ((verb !== 'add' && verb !== 'del') || !name) throw new Fail('usage: rc-update add|del SERVICE [RUNLEVEL]');
    setEnabledService(ctx.dir, ctx.c.name, name, verb === 'add');
    ctx.io.out(` * service ${name} ${verb === 'add' ? 'added to' : 'removed from'} runlevel ${args[2] ?? 'default'}\n`);
    return 0;
  },
  mkdir: (ctx, args) => {
    const { flags, rest, values } = parseFlags(args, ['p'], ['m']);
    for (const p of rest) {
      const host = hostPath(ctx, p);
      if (existsSync(host) && !flags.has('p')) throw new Fail(`mkdir: can't create directory '${p}': File exists`);
      mkdirSync(host, { recursive: flags.has('p'), mode: values.m ? parseMode(values.m) : 0o755 });
      if (values.m) chmodSync(host, parseMode(values.m));
    }
    return 0;
  },
  chmod: (ctx, args) => {
    const [mode, ...paths] = args;
    if (!mode || paths.length === 0) throw new Fail('usage: chmod MODE FILE…');
    for (const p of paths) chmodSync(existing(ctx, p, 'chmod'), parseMode(mode));
    return 0;
  },
  chown: (ctx, args) => {
    const { rest } = parseFlags(args, ['R'], []);
    const [owner, ...paths] = rest;
    if (!owner || paths.length === 0) throw new Fail('usage: chown USER[:GROUP] FILE…');
    const [u, g] = owner.split(':');
    const uid = toId(u!, 'user');
    for (const p of paths) {
      const host = existing(ctx, p, 'chown');
      chownSync(host, uid, g === undefined || g === '' ? statSync(host).gid : toId(g, 'group'));
    }
    return 0;
  },
  stat: (ctx, args) => {
    const { rest, values } = parseFlags(args, ['L'], ['c']);
    if (!values.c) throw new Fail('stat: the lab supports only stat -c FORMAT FILE…');
    return eachFile(ctx, rest, 'stat', (p, host) => ctx.io.out(formatStat(values.c!, p, statSync(host)) + '\n'));
  },
  sha256sum: (ctx, args) => eachFile(ctx, args, 'sha256sum', (p, host) => ctx.io.out(`${createHash('sha256').update(readFileSync(host)).digest('hex')}  ${p}\n`)),
  cat: (ctx, args) => {
    if (args.length === 0 || (args.length === 1 && args[0] === '-')) ctx.io.out((ctx.stdin?.() ?? Buffer.alloc(0)).toString('utf8'));
    else for (const p of args) ctx.io.out(readFileSync(existing(ctx, p, 'cat'), 'utf8'));
    return 0;
  },
  mv: (ctx, args) => {
    // -f (never prompt) is what busybox does without a TTY anyway.
    const { rest } = parseFlags(args, ['f'], []);
    const [from, to] = rest;
    if (!from || !to || rest.length !== 2) throw new Fail('usage: mv [-f] FROM TO');
    renameSync(existing(ctx, from, 'mv'), hostPath(ctx, to));
    return 0;
  },
  cp: (ctx, args) => {
    const { rest } = parseFlags(args, ['a', 'p', 'r', 'R'], []);
    const [from, to] = rest;
    if (!from || !to || rest.length !== 2) throw new Fail('usage: cp [-a] FROM TO');
    cpSync(existing(ctx, from, 'cp'), hostPath(ctx, to), { recursive: true, preserveTimestamps: true });
    return 0;
  },
  rm: (ctx, args) => {
    const { flags, rest } = parseFlags(args, ['f', 'r', 'R'], []);
    for (const p of rest) {
      const host = hostPath(ctx, p);
      if (!existsSync(host)) {
        if (flags.has('f')) continue;
        throw new Fail(`rm: can't remove '${p}': No such file or directory`);
      }
      if (lstatSync(host).isDirectory() && !flags.has('r') && !flags.has('R')) throw new Fail(`rm: '${p}' is a directory`);
      rmSync(host, { recursive: true, force: true });
    }
    return 0;
  },
  ls: (ctx, args) => {
    const { rest } = parseFlags(args, ['l', 'a', '1'], []);
    for (const p of rest.length ? rest : [ctx.cwd]) {
      const host = existing(ctx, p, 'ls');
      const names = statSync(host).isDirectory() ? readdirSync(host).sort() : [p];
      for (const n of names) ctx.io.out(n + '\n');
    }
    return 0;
  },
  // Alpine's sqlite3 CLI, only as hold mode's copy ahead uses it: `sqlite3 DB ".backup 'PATH'"` (the online
  // backup API: a consistent copy while the daemon keeps writing).
  sqlite3: async (ctx, args) => {
    const [db, cmd] = args;
    const m = cmd?.match(/^\.backup\s+(?:'([^']+)'|"([^"]+)"|(\S+))\s*$/);
    if (!db || !m || args.length !== 2) throw new Fail('sqlite3: the lab answers only `sqlite3 DB ".backup PATH"`', 1);
    const dest = hostPath(ctx, m[1] ?? m[2] ?? m[3]!);
    const { openDatabase } = await import('../../sqlite.ts');
    const src = openDatabase(existing(ctx, db, 'sqlite3'), { fileMustExist: true });
    try {
      await src.backup(dest);
    } finally {
      src.close();
    }
    return 0;
  },
  test: (ctx, args) => {
    const [op, p] = args;
    if (!op || !p) return 1;
    const host = hostPath(ctx, p);
    if (!existsSync(host)) return 1;
    const st = statSync(host);
    if (op === '-e') return 0;
    if (op === '-f') return st.isFile() ? 0 : 1;
    if (op === '-d') return st.isDirectory() ? 0 : 1;
    if (op === '-s') return st.size > 0 ? 0 : 1;
    throw new Fail(`test: the lab supports -e -f -d -s, not ${op}`, 2);
  },
};

export async function execInContainer(dir: string, c: LabContainer, argv: string[], io: ExecIO, cwd = '/root', stdin?: () => Buffer): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    io.err('Error: no command given\n');
    return 1;
  }
  const base = name.split('/').pop()!;
  const cmd = Object.hasOwn(COMMANDS, base) ? COMMANDS[base] : undefined;
  if (!cmd) {
    io.err(`sh: ${name}: not found (the lab container knows: ${Object.keys(COMMANDS).sort().join(' ')})\n`);
    return 127;
  }
  try {
    return await cmd({ dir, c, root: rootfsDir(dir, c.name), cwd, io, ...(stdin ? { stdin } : {}) }, args);
  } catch (err) {
    if (err instanceof Fail) {
      io.err(err.message + '\n');
      return err.code;
    }
    const e = err as NodeJS.ErrnoException;
    io.err(`${base}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}\n`);
    return 1;
  }
}

async function service(ctx: Ctx, name: string | undefined, verb: string | undefined): Promise<number> {
  if (!name || !verb) throw new Fail('usage: service NAME start|stop|restart|status');
  let r: ServiceResult;
  if (verb === 'start') r = await startService(ctx.dir, ctx.c, name);
  else if (verb === 'stop') r = await stopService(ctx.dir, ctx.c, name);
  else if (verb === 'status') r = serviceStatus(ctx.dir, ctx.c, name);
  else if (verb === 'restart') {
    const stopped = await stopService(ctx.dir, ctx.c, name);
    if (stopped.code !== 0) r = stopped;
    else {
      const started = await startService(ctx.dir, ctx.c, name);
      r = { code: started.code, stdout: stopped.stdout + started.stdout, stderr: started.stderr };
    }
  } else throw new Fail(` * ${name}: unknown function ${verb}`);
  if (r.stdout) ctx.io.out(r.stdout);
  if (r.stderr) ctx.io.err(r.stderr);
  return r.code;
}

/** Maps a container path to the host path inside the rootfs (never outside it). */
export function containerPath(root: string, cwd: string, p: string): string {
  const abs = posix.normalize(posix.isAbsolute(p) ? p : posix.join(cwd, p));
  return join(root, abs);
}

function hostPath(ctx: Ctx, p: string): string {
  return containerPath(ctx.root, ctx.cwd, p);
}

function existing(ctx: Ctx, p: string, cmd: string): string {
  const host = hostPath(ctx, p);
  if (!existsSync(host)) throw new Fail(`${cmd}: can't stat '${p}': No such file or directory`);
  return host;
}

function parseMode(s: string): number {
  if (!/^[0-7]{3,4}$/.test(s)) throw new Fail(`chmod: invalid mode '${s}' (the lab accepts octal modes like 0600)`);
  return parseInt(s, 8);
}

function toId(s: string, what: 'user' | 'group'): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === 'root') return 0;
  throw new Fail(`chown: unknown ${what} ${s} (the lab knows root and numeric ids)`);
}

function parseFlags(args: string[], bool: string[], withValue: string[]) {
  const flags = new Set<string>();
  const values: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-') && a.length > 1 && rest.length === 0) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j]!;
        if (withValue.includes(f)) {
          values[f] = a.slice(j + 1) || args[++i] || '';
          break;
        }
        if (!bool.includes(f)) throw new Fail(`unknown option -${f}`);
        flags.add(f);
      }
    } else rest.push(a);
  }
  return { flags, values, rest };
}

export function formatStat(format: string, name: string, st: { size: number; mode: number; uid: number; gid: number; mtimeMs: number; isDirectory(): boolean }): string {
  return format.replace(/%([sauUgGnYF%])/g, (_, f: string) => {
    switch (f) {
      case 's':
        return String(st.size);
      case 'a':
        return (st.mode & 0o7777).toString(8);
      case 'u':
        return String(st.uid);
      case 'g':
        return String(st.gid);
      case 'U':
        return st.uid === 0 ? 'root' : String(st.uid);
      case 'G':
        return st.gid === 0 ? 'root' : String(st.gid);
      case 'n':
        return name;
      case 'Y':
        return String(Math.floor(st.mtimeMs / 1000));
      case 'F':
        return st.isDirectory() ? 'directory' : 'regular file';
      default:
        return '%';
    }
  });
}
