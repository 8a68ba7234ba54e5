// The real-Docker lane's module tree, like the seed's platform (seeds 003/004): containers labelled as
// compose labels them (v2 names `project-service-1`, v1 names `project_service_1`) plus one plain
// `docker run`, state in named volumes and bind mounts, and modules/<id>/module.yaml with
// spec.runtime.statefulness. Needs the daemon and images scripts/test-docker.sh provides.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const SERVICES_IMAGE = 'cutover-services:test';
export const BUSYBOX_IMAGE = 'cutover-busybox:test';
export const PROJECT = 'platform';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One docker CLI call against the lane's daemon (DOCKER_HOST); throws with its stderr unless `ok: false`. */
export async function docker(args: string[], opts: { input?: string; ok?: boolean; timeoutMs?: number } = {}): Promise<DockerResult> {
  const r = await execa('docker', args, { reject: false, input: opts.input, timeout: opts.timeoutMs ?? 120_000, stripFinalNewline: false });
  const res = { code: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  if ((opts.ok ?? true) && res.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
  return res;
}

/** The lane's environment, or why the tests cannot run (they fail, never skip). */
export function laneWork(): string {
  const work = process.env.CUTOVER_DOCKER_WORK;
  if (!work || !process.env.DOCKER_HOST) throw new Error('run these through `npm run test:docker` (scripts/test-docker.sh starts the daemon they use)');
  return work;
}

const composeLabels = (service: string, version: string) => [
  ['com.docker.compose.project', PROJECT],
  ['com.docker.compose.service', service],
  ['com.docker.compose.oneoff', 'False'],
  ['com.docker.compose.container-number', '1'],
  ['com.docker.compose.version', version],
].flatMap(([k, v]) => ['--label', `${k}=${v}`]);

export interface World {
  base: string;
  modules: string;
  backups: string;
  /** Host dirs bind-mounted into containers. */
  kumaConfig: string;
  posta: string;
  containers: { postgres: string; redis: string; kuma: string; arne: string };
}

function moduleYaml(dir: string, id: string, stateful: boolean, extra = ''): void {
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(
    join(dir, id, 'module.yaml'),
    `apiVersion: platform/v1
kind: Module
metadata:
  name: ${id}
spec:
  runtime:
    kind: docker
    statefulness: ${stateful ? 'stateful' : 'stateless'}
${extra}`,
  );
}

/** Volumes and containers of the tree; returns once postgres and redis answer. */
export async function startWorld(work: string): Promise<World> {
  const base = mkdtempSync(join(work, 'world-'));
  const modules = join(base, 'modules');
  moduleYaml(modules, 'postgres', true);
  moduleYaml(modules, 'redis', true);
  moduleYaml(modules, 'uptime-kuma', true);
  moduleYaml(modules, 'arne-msg', true, '  backup:\n    class: S\n');
  moduleYaml(modules, 'whoami', false);
  const kumaConfig = join(base, 'kuma-config');
  const posta = join(base, 'posta');
  mkdirSync(kumaConfig);
  mkdirSync(posta);
  writeFileSync(join(kumaConfig, 'config.json'), JSON.stringify({ port: 3001, primaryBaseURL: 'https://status.example.test' }) + '\n');

  for (const vol of ['pgdata', 'redis-data', 'kuma-data']) {
    await docker(['volume', 'create', '--label', `com.docker.compose.project=${PROJECT}`, '--label', `com.docker.compose.volume=${vol}`, `${PROJECT}_${vol}`]);
  }
  const containers = { postgres: `${PROJECT}-postgres-1`, redis: `${PROJECT}_redis_1`, kuma: `${PROJECT}-uptime-kuma-1`, arne: 'arne-msg' };
  const run = (name: string, args: string[]) => docker(['run', '-d', '--name', name, '--network', 'none', ...args]);
  // compose v2 (2.20) names and labels
  await run(containers.postgres, [...composeLabels('postgres', '2.20.2'), '-v', `${PROJECT}_pgdata:/var/lib/postgresql/data`, SERVICES_IMAGE, 'pg-start']);
  // compose v1 (docker-compose 1.29, what Debian ships): underscores in the name, the same labels
  await run(containers.redis, [...composeLabels('redis', '1.29.2'), '-v', `${PROJECT}_redis-data:/data`, SERVICES_IMAGE, 'redis-server', '--bind', '127.0.0.1', '--dir', '/data', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await run(containers.kuma, [...composeLabels('uptime-kuma', '2.20.2'), '-v', `${PROJECT}_kuma-data:/app/data`, '-v', `${kumaConfig}:/app/config`, BUSYBOX_IMAGE, 'sleep', '86400']);
  // plain docker run: no compose labels, found by its name
  await run(containers.arne, ['-v', `${posta}:/var/lib/posta`, BUSYBOX_IMAGE, 'sleep', '86400']);

  await waitFor(async () => (await docker(['exec', containers.postgres, 'psql', '-X', '-U', 'postgres', '-tAc', 'SELECT 1'], { ok: false })).stdout.trim() === '1', 'postgres');
  await waitFor(async () => (await docker(['exec', containers.redis, 'redis-cli', 'PING'], { ok: false })).stdout.trim() === 'PONG', 'redis');
  return { base, modules, backups: join(base, 'backups'), kumaConfig, posta, containers };
}

export async function waitFor(ok: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes the tree's containers and volumes (and any scratch container the tests started). */
export async function stopWorld(extra: string[] = []): Promise<void> {
  const names = [`${PROJECT}-postgres-1`, `${PROJECT}_redis_1`, `${PROJECT}-uptime-kuma-1`, 'arne-msg', ...extra];
  await docker(['rm', '-f', '-v', ...names], { ok: false });
  await docker(['volume', 'rm', '-f', `${PROJECT}_pgdata`, `${PROJECT}_redis-data`, `${PROJECT}_kuma-data`], { ok: false });
}

/** sha256 of a file, computed inside a container. */
export async function shaIn(container: string, path: string): Promise<string> {
  const out = (await docker(['exec', container, 'sha256sum', path])).stdout;
  return out.split(/\s/)[0]!;
}

export function psql(container: string, sql: string, db = 'postgres'): Promise<DockerResult> {
  return docker(['exec', container, 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', db, '-tAc', sql]);
}
