// The lab's `incus`: answers the subcommands cutover uses with Incus' output shapes, messages and exit codes.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  IncusCliError,
  createContainer,
  refuseIfBusy,
  setBusy,
  deleteContainer,
  requireContainer,
  setConfigKey,
  snapshotCreate,
  snapshotDelete,
  snapshotRestore,
  startContainer,
  stopContainer,
} from '../containers.ts';
import { hasFault } from '../faults.ts';
import { readJson, writeFileAtomic } from '../fsutil.ts';
import { containerDir, labLayout, rootfsDir, type LabConfig } from '../layout.ts';
import { runningServiceNames, servicePid } from '../services.ts';
import { readState } from '../state.ts';
import { containerPath, execInContainer, type ExecIO } from './busybox.ts';
import { instanceJson, snapshotJson } from './incus-json.ts';

/** Remotes the lab answers for: none, `local:` and `lab:`. */
const LOCAL_REMOTES = new Set(['local', 'lab']);

export async function runIncus(dir: string, argv: string[], io: ExecIO, stdin?: () => Buffer): Promise<number> {
  try {
    return await dispatch(dir, argv, io, stdin);
  } catch (err) {
    if (err instanceof IncusCliError) {
      io.err(`Error: ${err.message}\n`);
      return 1;
    }
    io.err(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}

async function dispatch(dir: string, argv: string[], io: ExecIO, stdin?: () => Buffer): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'version':
      io.out('Client version: 6.0.0-lab\nServer version: 6.0.0-lab\n');
      return 0;
    case 'list':
    case 'ls':
      return list(dir, rest, io);
    case 'exec':
      return exec(dir, rest, io, stdin);
    case 'info':
      return info(dir, rest, io);
    case 'file':
      return file(dir, rest, io, stdin);
    case 'launch':
    case 'create':
    case 'init':
      return launch(dir, rest, io, cmd === 'launch');
    case 'start':
      for (const n of names(rest)) {
        const problems = await startContainer(dir, n);
        for (const p of problems) io.err(p + '\n');
      }
      return 0;
    case 'stop':
      for (const n of names(rest)) {
        if (!rest.includes('--force') && !rest.includes('-f') && hasFault(dir, 'ignore-stop') && isLegacy(dir, n) && requireContainer(dir, n).status === 'Running') {
          // Real Incus: the init never answers SIGPWR; without --timeout the stop (and the instance's busy
          // state) lasts forever, with one it fails once the timeout has passed.
          const timeout = option(rest, '--timeout');
          if (timeout === undefined) await new Promise(() => setInterval(() => undefined, 60_000));
          await new Promise((r) => setTimeout(r, Number(timeout) * 1000));
          setBusy(dir, n, 'stop');
          throw new IncusCliError('Failed shutting down instance, status is "Running": context deadline exceeded');
        }
        await stopContainer(dir, n);
      }
      return 0;
    case 'restart':
      for (const n of names(rest)) {
        if (requireContainer(dir, n).status === 'Running') await stopContainer(dir, n);
        await startContainer(dir, n);
      }
      return 0;
    case 'delete':
    case 'rm': {
      const force = rest.includes('--force') || rest.includes('-f');
      for (const n of names(rest)) await deleteContainer(dir, n, force);
      return 0;
    }
    case 'config':
      return config(dir, rest, io);
    case 'snapshot':
      return snapshot(dir, rest, io);
    case 'export':
      return exportInstance(dir, rest, io);
    case undefined:
      io.err('Usage: incus [command]\n');
      return 1;
    default:
      io.err(`Error: unknown command "${cmd}" for "incus" (the lab answers: list exec info file launch create start stop restart delete config snapshot export version)\n`);
      return 1;
  }
}

/** A legacy container of the lab (lab up built it for an identity). */
function isLegacy(dir: string, name: string): boolean {
  return (readJson<LabConfig>(labLayout(dir).config)?.identities ?? []).some((i) => i.container === name);
}

/** Strips a `REMOTE:` prefix; only local remotes exist in the lab. */
function local(ref: string): string {
  const i = ref.indexOf(':');
  if (i < 0) return ref;
  const remote = ref.slice(0, i);
  if (!LOCAL_REMOTES.has(remote)) throw new IncusCliError(`The remote "${remote}" doesn't exist`);
  return ref.slice(i + 1);
}

/** Positional arguments (options and their values removed), remote prefixes stripped. */
function names(args: string[], valued?: string[]): string[] {
  return positionals(args, valued).map(local);
}

function positionals(args: string[], valued: string[] = ['--timeout', '--profile', '-p', '--config', '-c', '--mode', '--uid', '--gid', '--env', '--cwd', '--format']): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (valued.includes(a)) i++;
    else if (!a.startsWith('-')) out.push(a);
  }
  return out;
}

function option(args: string[], ...flags: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (flags.includes(args[i]!)) return args[i + 1];
    for (const f of flags) if (f.startsWith('--') && args[i]!.startsWith(`${f}=`)) return args[i]!.slice(f.length + 1);
  }
  return undefined;
}

function list(dir: string, args: string[], io: ExecIO): number {
  const format = option(args, '-f', '--format') ?? 'table';
  const filters = names(args, ['-f', '--format', '-c', '--columns']).filter((f) => f !== '');
  // `incus list remote:` yields an empty name after the prefix.
  const state = readState(dir);
  const shown = state.containers.filter((c) => filters.every((f) => (f.includes('=') ? true : new RegExp(f).test(c.name))));
  const entries = shown.map((c) => instanceJson(c, firstServicePid(dir, c.name)));
  if (format === 'json') io.out(JSON.stringify(entries) + '\n');
  else if (format === 'csv') for (const c of shown) io.out(`${c.name},${c.status.toUpperCase()},${c.status === 'Running' ? `${c.ip} (eth0)` : ''},,CONTAINER,${c.snapshots.length}\n`);
  else {
    io.out('NAME\tSTATE\tIPV4\tTYPE\tSNAPSHOTS\n');
    for (const c of shown) io.out(`${c.name}\t${c.status.toUpperCase()}\t${c.status === 'Running' ? `${c.ip} (eth0)` : ''}\tCONTAINER\t${c.snapshots.length}\n`);
  }
  return 0;
}

function firstServicePid(dir: string, name: string): number | null {
  for (const s of runningServiceNames(dir, name)) {
    const pid = servicePid(dir, name, s);
    if (pid) return pid;
  }
  return null;
}

async function exec(dir: string, args: string[], io: ExecIO, stdin?: () => Buffer): Promise<number> {
  const sep = args.indexOf('--');
  const before = sep < 0 ? args : args.slice(0, sep);
  const command = sep < 0 ? [] : args.slice(sep + 1);
  const [name] = names(before);
  if (!name) throw new IncusCliError('Missing instance name');
  const c = requireContainer(dir, name);
  if (c.status !== 'Running') throw new IncusCliError('Instance is not running');
  if (command.length === 0) throw new IncusCliError('Missing command (the lab needs `incus exec NAME -- COMMAND…`)');
  return execInContainer(dir, c, command, io, option(before, '--cwd') ?? '/root', stdin);
}

/** `incus info [--show-log] NAME`: the summary lines, and with --show-log the instance's (lab-made) lxc log. */
function info(dir: string, args: string[], io: ExecIO): number {
  const [name] = names(args);
  if (!name) throw new IncusCliError('Missing instance name');
  const c = requireContainer(dir, name);
  io.out(`Name: ${c.name}\nStatus: ${c.status.toUpperCase()}\nType: container\nArchitecture: x86_64\nCreated: ${c.createdAt}\nLast Used: ${c.lastUsedAt ?? '1970/01/01 00:00 UTC'}\n`);
  if (args.includes('--show-log')) {
    const stamp = (t: string | number) => new Date(t).toISOString().replace(/[-:T]/g, '').replace(/\.(\d{3})Z$/, '.$1');
    const lines = [c.lastUsedAt ? `lxc ${c.name} ${stamp(c.lastUsedAt)} INFO     start - ../src/lxc/start.c:lxc_start:2210 - Started "/sbin/init" as the init of the container` : null, c.stoppedAt ? `lxc ${c.name} ${stamp(c.stoppedAt)} INFO     stop - container stopped` : null].filter(Boolean);
    io.out(`\nLog:\n\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
  }
  return 0;
}

function splitRef(ref: string): { name: string; path: string } {
  const i = ref.indexOf('/');
  if (i <= 0) throw new IncusCliError(`Invalid target "${ref}" (expected INSTANCE/PATH)`);
  return { name: local(ref.slice(0, i)), path: ref.slice(i) };
}

function file(dir: string, args: string[], io: ExecIO, stdin?: () => Buffer): number {
  const [verb, ...rest] = args;
  const pos = rest.filter((a, i) => (!a.startsWith('-') || a === '-') && !isOptionValue(rest, i));
  if (verb === 'push') {
    const [src, dst] = pos;
    if (!src || !dst) throw new IncusCliError('Usage: incus file push SOURCE INSTANCE/PATH');
    const { name, path } = splitRef(dst);
    refuseIfBusy(requireContainer(dir, name), 'file');
    const content = src === '-' ? (stdin?.() ?? Buffer.alloc(0)) : readLocal(src);
    const root = rootfsDir(dir, name);
    let target = containerPath(root, '/', path);
    if (path.endsWith('/')) target = join(target, src.split('/').pop()!);
    const createDirs = rest.includes('--create-dirs') || rest.includes('-p');
    if (!existsSync(dirname(target))) {
      if (!createDirs) throw new IncusCliError(`Failed to write file: open ${path}: no such file or directory`);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    }
    const modeOpt = option(rest, '--mode');
    let mode = modeOpt !== undefined ? parseInt(modeOpt, 8) : src === '-' ? 0o644 : statSync(src).mode & 0o7777;
    if (hasFault(dir, 'wrong-mode')) mode = 0o644;
    writeFileAtomic(target, shorten(dir, content), mode);
    // Without --uid/--gid real Incus gives the file the host file's owner (stdin: root).
    const hostOwner = src === '-' ? { uid: 0, gid: 0 } : statSync(src);
    const uid = Number(option(rest, '--uid') ?? hostOwner.uid);
    const gid = Number(option(rest, '--gid') ?? hostOwner.gid);
    chownSync(target, uid, gid);
    chmodSync(target, mode);
    return 0;
  }
  if (verb === 'pull') {
    const [src, dst] = pos;
    if (!src || !dst) throw new IncusCliError('Usage: incus file pull INSTANCE/PATH TARGET');
    const { name, path } = splitRef(src);
    refuseIfBusy(requireContainer(dir, name), 'file');
    const from = containerPath(rootfsDir(dir, name), '/', path);
    if (!existsSync(from) || statSync(from).isDirectory()) throw new IncusCliError(`Failed to pull file: open ${path}: no such file or directory`);
    const content = readFileSync(from);
    if (dst === '-') io.out(content.toString('utf8'));
    else {
      const target = existsSync(dst) && statSync(dst).isDirectory() ? join(dst, path.split('/').pop()!) : dst;
      if (hasFault(dir, 'truncated-copy')) writeFileAtomic(target, shorten(dir, content), statSync(from).mode & 0o7777);
      else copyFileSync(from, target);
    }
    return 0;
  }
  throw new IncusCliError(`Usage: incus file push|pull … (the lab does not answer "file ${verb ?? ''}")`);
}

function isOptionValue(args: string[], i: number): boolean {
  return i > 0 && ['--mode', '--uid', '--gid'].includes(args[i - 1]!);
}

function readLocal(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new IncusCliError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
}

/** The truncated-copy fault: half the bytes arrive. */
function shorten(dir: string, content: Buffer): Buffer {
  return hasFault(dir, 'truncated-copy') ? content.subarray(0, Math.floor(content.length / 2)) : content;
}

async function launch(dir: string, args: string[], io: ExecIO, start: boolean): Promise<number> {
  const [image, ref] = positionals(args);
  const name = ref === undefined ? undefined : local(ref);
  if (!image || !name) throw new IncusCliError(`Usage: incus ${start ? 'launch' : 'create'} IMAGE NAME`);
  const config: Record<string, string> = {};
  const profiles: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '--config' || args[i] === '-c') && args[i + 1]) {
      const [k, ...v] = args[++i]!.split('=');
      config[k!] = v.join('=');
    } else if ((args[i] === '--profile' || args[i] === '-p') && args[i + 1]) profiles.push(args[++i]!);
  }
  io.out(`${start ? 'Launching' : 'Creating'} ${name}\n`);
  createContainer(dir, name, image, { config, profiles: profiles.length ? profiles : undefined });
  if (start) await startContainer(dir, name);
  return 0;
}

function config(dir: string, args: string[], io: ExecIO): number {
  const [verb, ...rest] = args;
  const pos = names(rest);
  const [name, key, value] = pos;
  if (!name) throw new IncusCliError('Missing instance name');
  const c = requireContainer(dir, name);
  if (verb === 'get') {
    if (!key) throw new IncusCliError('Usage: incus config get INSTANCE KEY');
    io.out(`${c.config[key] ?? ''}\n`);
    return 0;
  }
  if (verb === 'set' || verb === 'unset') refuseIfBusy(c, 'update');
  if (verb === 'set') {
    const pairs: [string, string][] = [];
    if (key && value !== undefined && !key.includes('=')) pairs.push([key, value]);
    else for (const kv of pos.slice(1)) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new IncusCliError(`Invalid key=value configuration: ${kv}`);
      pairs.push([kv.slice(0, i), kv.slice(i + 1)]);
    }
    if (pairs.length === 0) throw new IncusCliError('Usage: incus config set INSTANCE KEY=VALUE');
    for (const [k, v] of pairs) setConfigKey(dir, name, k, v);
    return 0;
  }
  if (verb === 'unset') {
    if (!key) throw new IncusCliError('Usage: incus config unset INSTANCE KEY');
    setConfigKey(dir, name, key, null);
    return 0;
  }
  if (verb === 'show') {
    io.out(Object.entries(c.config).map(([k, v]) => `  ${k}: "${v}"`).join('\n') + '\n');
    return 0;
  }
  throw new IncusCliError(`the lab answers config get|set|unset|show, not "${verb ?? ''}"`);
}

function snapshot(dir: string, args: string[], io: ExecIO): number {
  const [verb, ...rest] = args;
  const [name, snap] = names(rest);
  if (!name) throw new IncusCliError('Missing instance name');
  if (verb === 'list' || verb === 'ls') {
    const c = requireContainer(dir, name);
    const format = option(rest, '-f', '--format') ?? 'table';
    if (format === 'json') io.out(JSON.stringify(c.snapshots.map((s) => snapshotJson(c, s))) + '\n');
    else for (const s of c.snapshots) io.out(`${s.name}\t${s.createdAt}\n`);
    return 0;
  }
  const snapName = snap ?? `snap${requireContainer(dir, name).snapshots.length}`;
  if (verb === 'create') snapshotCreate(dir, name, snapName);
  else if (verb === 'restore') {
    if (!snap) throw new IncusCliError('Usage: incus snapshot restore INSTANCE SNAPSHOT');
    snapshotRestore(dir, name, snap);
  } else if (verb === 'delete' || verb === 'rm') {
    if (!snap) throw new IncusCliError('Usage: incus snapshot delete INSTANCE SNAPSHOT');
    snapshotDelete(dir, name, snap);
  } else throw new IncusCliError(`the lab answers snapshot create|restore|list|delete, not "${verb ?? ''}"`);
  return 0;
}

/** `incus export NAME FILE`: a gzip tarball with backup/index.yaml and backup/container/rootfs. */
function exportInstance(dir: string, args: string[], io: ExecIO): number {
  const [name, target] = names(args);
  if (!name || !target) throw new IncusCliError('Usage: incus export INSTANCE FILE');
  const c = requireContainer(dir, name);
  const staging = join(containerDir(dir, name), 'export');
  writeFileAtomic(join(staging, 'backup', 'index.yaml'), `name: ${c.name}\nbackend: dir\npool: default\noptimized: false\noptimized_header: false\ntype: container\nsnapshots: [${c.snapshots.map((s) => s.name).join(', ')}]\n`, 0o644);
  const r = spawnSync('tar', ['-czf', target, '-C', staging, 'backup', '--transform', `s,^rootfs,backup/container/rootfs,`, '-C', containerDir(dir, name), 'rootfs'], { encoding: 'utf8' });
  if (r.status !== 0) throw new IncusCliError(`Failed to export instance: ${r.stderr || r.error?.message}`);
  io.out(`Backup exported successfully!\n`);
  return 0;
}
