// What `cutover backup` and `cutover drill` share: their options, and turning them into BackupModuleOptions
// (class resolution, runtime, live target resolution, data paths).
import { resolve } from 'node:path';
import { CliError, type CliIO } from '../contract/io.ts';
import { DockerRuntime } from '../adapters/docker.ts';
import { HostRuntime } from '../adapters/host.ts';
import { createIncusRuntime } from '../adapters/incus.ts';
import type { BackupModuleOptions } from './backup.ts';
import { loadClassMapping, resolveClass } from './class-map.ts';
import { BackupError, DEFAULT_BACKUP_DIR } from './contract.ts';
import { findModule } from './module-yaml.ts';
import { progressReporter } from './progress.ts';
import type { Target } from './target.ts';
import type { RuntimeKind } from './types.ts';

export const MODULE_OPTIONS = {
  class: { type: 'string' },
  mapping: { type: 'string' },
  modules: { type: 'string' },
  dir: { type: 'string' },
  runtime: { type: 'string' },
  container: { type: 'string' },
  'compose-project': { type: 'string' },
  path: { type: 'string', multiple: true },
  'pg-host': { type: 'string' },
  'pg-port': { type: 'string' },
  'pg-user': { type: 'string' },
  'redis-host': { type: 'string' },
  'redis-port': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const MODULE_OPTIONS_HELP = `Options:
  --class X            backup class A–G or S (default: module.yaml spec.backup.class, then the
                       mapping, then E). A postgres, B redis, C vault, D minio, E mounted data,
                       F engine dump (archive until proven), G separate root, S sqlite + files
  --mapping FILE       class mapping TOML: [classes] name-or-pattern = "A" (default: the table
                       from the platform's backup-before-apply contract)
  --modules DIR        module.yaml tree (DIR/<module>/module.yaml) for the class and mounts
  --dir D              backup directory (default ${DEFAULT_BACKUP_DIR}, or $CUTOVER_BACKUP_DIR);
                       created 0700, refused when group/others can reach it
  --runtime R          host | incus | docker (default host, or the module's spec.runtime.kind)
  --container NAME     instance/container (default: MODULE; docker: compose service, then name)
  --compose-project P  docker: find MODULE as a service of this compose project
                       (docker compose -p P ps --all --format json)
  --path P             data path, repeatable (docker default: the container's mounts)
  --pg-host H, --pg-port N, --pg-user U
                       class A connection, as seen inside the target (default: socket, postgres)
  --redis-host H, --redis-port N
                       class B connection inside the target (REDISCLI_AUTH for AUTH)
  --json               one JSON document on stdout
Environment: VAULT_TOKEN (class C raft snapshot), MINIO_MC_ALIAS (class D mc mirror),
  REDISCLI_AUTH (class B BGSAVE behind AUTH).`;

type Values = { [K in keyof typeof MODULE_OPTIONS]?: (typeof MODULE_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof MODULE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function port(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliError(`${flag} must be a port number, got "${v}"`, 'usage');
  return n;
}

export function backupDir(values: { dir?: string }, io: CliIO): string {
  return resolve(io.cwd, values.dir ?? io.env.CUTOVER_BACKUP_DIR ?? DEFAULT_BACKUP_DIR);
}

export function runtimeFor(kind: string, io: CliIO): { kind: RuntimeKind; runtime: HostRuntime | DockerRuntime | ReturnType<typeof createIncusRuntime> } {
  if (kind === 'host') return { kind, runtime: new HostRuntime() };
  if (kind === 'docker') return { kind, runtime: new DockerRuntime() };
  if (kind === 'incus') return { kind, runtime: createIncusRuntime({ env: io.env }) };
  throw new CliError(`--runtime must be host, incus or docker, got "${kind}"`, 'usage');
}

export async function moduleOptions(module: string, values: Values, io: CliIO): Promise<BackupModuleOptions & { classSource: string }> {
  const info = values.modules ? findModule(resolve(io.cwd, values.modules), module) : undefined;
  if (values.modules && !info) throw new CliError(`module "${module}" has no module.yaml under ${values.modules}`, 'bad-input');
  const mapping = values.mapping ? loadClassMapping(resolve(io.cwd, values.mapping)) : undefined;
  const { cls, source } = resolveClass(module, { override: values.class, metadata: info?.backupClass, mapping });
  const { kind, runtime } = runtimeFor(values.runtime ?? info?.runtime ?? 'host', io);
  let container = values.container ?? info?.container ?? module;
  let paths = (values.path ?? []).map((p) => resolve(io.cwd, p));
  if (!paths.length && info?.mounts.length) paths = info.mounts;
  if (kind === 'host') container = 'host';
  else if (runtime instanceof DockerRuntime) {
    if (!values.container) container = await runtime.resolveContainer(info?.container ?? module, { composeProject: values['compose-project'] });
    if (!paths.length && !['A', 'S'].includes(cls)) paths = (await runtime.mounts(container)).map((m) => m.source).filter(Boolean);
  } else if (!(await runtime.get(container))) throw new CliError(`no incus instance "${container}" (pass --container NAME)`, 'usage');
  const env: Record<string, string> = {};
  for (const k of ['VAULT_TOKEN', 'MINIO_MC_ALIAS', 'REDISCLI_AUTH'] as const) if (io.env[k]) env[k] = io.env[k]!;
  const target: Target = { runtime, kind, container, env: io.env.REDISCLI_AUTH ? { REDISCLI_AUTH: io.env.REDISCLI_AUTH } : undefined };
  const progress = values.json && !io.stderr.isTTY ? undefined : progressReporter(io.stderr);
  return {
    target,
    module,
    cls,
    classSource: source,
    dir: backupDir(values, io),
    paths,
    // docker mounts are read from their host source paths; exec still runs inside the container
    pathsOnHost: kind === 'host' || (kind === 'docker' && !values.path?.length),
    pg: { user: values['pg-user'] ?? 'postgres', host: values['pg-host'], port: port(values['pg-port'], '--pg-port') },
    redis: { host: values['redis-host'], port: port(values['redis-port'], '--redis-port') },
    env,
    onProgress: progress,
  };
}

/** BackupError → CliError with its exit code; anything else passes through. */
export function asCliError(err: unknown): unknown {
  if (err instanceof BackupError) return new CliError(err.message, err.outcome);
  if (err instanceof Error && (err.name === 'DockerError' || err.name === 'IncusError')) return new CliError(err.message, 'failed');
  return err;
}
