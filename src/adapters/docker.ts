// Runtime over the `docker` CLI (the seed's platform runs its stateful modules in Docker). Every call is
// one docker process with JSON output. `run` is injectable so the parsing is tested against recorded CLI
// output (test/unit/backup-cli-contracts.test.ts); the real-Docker lane (npm run test:docker) runs it
// against a real dockerd.
import { execa } from 'execa';
import { logCommand } from './command-log.ts';
import type { ExecOptions, ExecResult, Instance, Runtime } from '../ports.ts';

/** One docker CLI call. `env` goes to the docker process itself (never into argv, where ps would show it). */
export type DockerRun = (args: string[], opts?: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> }) => Promise<ExecResult>;

export const dockerCli: DockerRun = async (args, opts = {}) => {
  logCommand('docker', args);
  const r = await execa('docker', args, { reject: false, input: opts.input, timeout: opts.timeoutMs, stripFinalNewline: false, env: opts.env, extendEnv: true });
  if (r.failed && r.exitCode === undefined) return { exitCode: 127, stdout: '', stderr: 'docker: command not found (install the docker CLI or use --runtime host|incus)' };
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
};

export interface DockerMount {
  type: string;
  /** Volume name (type volume), else null. */
  name: string | null;
  /** Path on the host: where a backup reads the data. */
  source: string;
  destination: string;
  rw: boolean;
}

interface InspectDoc {
  Name?: string;
  Created?: string;
  State?: { Status?: string; StartedAt?: string };
  Config?: { Labels?: Record<string, string> | null };
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination?: string; RW?: boolean }[];
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

export class DockerError extends Error {
  override name = 'DockerError';
}

/** One row of `docker compose ps --all --format json` (the fields cutover reads). */
export interface ComposePsRow {
  Name: string;
  Service: string;
  Project?: string;
  State?: string;
}

/**
 * `docker compose ps --format json` prints JSON Lines (one object per container) since Compose 2.21 and a
 * single JSON array before that (docker/compose docs/reference/docker_compose_ps.yaml: "ps --format json
 * outputs JSON Lines, not a JSON array"); both are read.
 */
export function parseComposePs(text: string): ComposePsRow[] {
  const t = text.trim();
  if (!t) return [];
  const rows: unknown[] = t.startsWith('[') ? (JSON.parse(t) as unknown[]) : t.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  return rows.filter((r): r is ComposePsRow => typeof (r as ComposePsRow)?.Name === 'string' && typeof (r as ComposePsRow)?.Service === 'string');
}

/** go-units HumanSize as docker prints it: "0B", "512kB", "44.52MB", "1.2GB" (decimal units). */
export function parseDockerSize(text: string): number | null {
  const m = /^\s*([\d.]+)\s*([kKMGTP]?i?B)\s*$/.exec(text);
  if (!m) return null;
  const unit = m[2]!.replace('i', '').toUpperCase();
  const pow = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4, PB: 5 }[unit];
  if (pow === undefined) return null;
  return Math.round(Number(m[1]) * (m[2]!.includes('i') ? 1024 : 1000) ** pow);
}

export class DockerRuntime implements Runtime {
  readonly kind = 'docker';
  /** Docker modules are backed up, started and stopped here; not launched or configured (cutover drives them for backups). */
  readonly capabilities = ['power', 'delete', 'export'] as const;
  constructor(private readonly run: DockerRun = dockerCli) {}

  private async ok(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<string> {
    const r = await this.run(args, opts);
    if (r.exitCode !== 0) throw new DockerError(`docker ${args[0]} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
    return r.stdout;
  }

  async inspect(name: string): Promise<InspectDoc | null> {
    const r = await this.run(['inspect', '--type', 'container', name]);
    if (r.exitCode !== 0) {
      if (/No such (object|container)/i.test(r.stderr)) return null;
      throw new DockerError(`docker inspect ${name} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
    }
    const docs = JSON.parse(r.stdout) as InspectDoc[];
    return docs[0] ?? null;
  }

  /**
   * Containers labelled as compose labels them (v1 and v2 alike: com.docker.compose.project / .service),
   * one-off `compose run` containers left out. `docker ps --filter` needs no compose binary at all.
   */
  async composeContainers(service: string, project?: string): Promise<string[]> {
    const filters = [`label=com.docker.compose.service=${service}`, ...(project ? [`label=com.docker.compose.project=${project}`] : [])].flatMap((f) => ['--filter', f]);
    const out = await this.ok(['ps', '-a', ...filters, '--format', '{{.Names}}\t{{.Label "com.docker.compose.oneoff"}}']);
    return out
      .split('\n')
      .map((l) => l.trim().split('\t'))
      .filter(([name, oneoff]) => name && oneoff !== 'True')
      .map(([name]) => name!);
  }

  /**
   * Module → container: the compose service label (within the project when given), which compose v1, v2
   * and later all set; with a project and no labelled container, `docker compose ps` of that project; the
   * container name as the fallback (plain `docker run`, as the seed's helper does).
   */
  async resolveContainer(module: string, opts: { composeProject?: string } = {}): Promise<string> {
    const one = (names: string[], where: string): string | undefined => {
      if (names.length > 1) throw new DockerError(`compose service "${module}"${where} has ${names.length} containers (${names.join(', ')}): pass --container NAME`);
      return names[0];
    };
    const byLabel = one(await this.composeContainers(module, opts.composeProject), opts.composeProject ? ` in project ${opts.composeProject}` : '');
    if (byLabel) return byLabel;
    if (opts.composeProject) {
      const r = await this.run(['compose', '-p', opts.composeProject, 'ps', '--all', '--format', 'json']);
      const byPs = r.exitCode === 0 ? one(parseComposePs(r.stdout).filter((row) => row.Service === module).map((row) => row.Name), ` in project ${opts.composeProject}`) : undefined;
      if (byPs) return byPs;
    }
    if (await this.inspect(module)) return module;
    throw new DockerError(`no container for module "${module}": neither a compose service label${opts.composeProject ? ` in project ${opts.composeProject}` : ''} nor a container name matches (docker ps -a)`);
  }

  async mounts(name: string): Promise<DockerMount[]> {
    const doc = await this.inspect(name);
    if (!doc) throw new DockerError(`no such container: ${name}`);
    // the daemon keeps mounts in a map: its order changes from one inspect to the next
    return (doc.Mounts ?? [])
      .map((m) => ({ type: m.Type ?? 'unknown', name: m.Name ?? null, source: m.Source ?? '', destination: m.Destination ?? '', rw: m.RW ?? true }))
      .sort((a, b) => a.destination.localeCompare(b.destination));
  }

  /**
   * Volume name → bytes, from `docker system df -v --format '{{json .}}'` (the `json` keyword is docker ≥ 23;
   * Debian's docker.io 20.10 client prints the word "json" for it, the template works on both).
   */
  async volumeSizes(): Promise<Map<string, number>> {
    const doc = JSON.parse(await this.ok(['system', 'df', '-v', '--format', '{{json .}}'], { timeoutMs: 120_000 })) as { Volumes?: { Name?: string; Size?: string }[] };
    const out = new Map<string, number>();
    for (const v of doc.Volumes ?? []) {
      const size = v.Size ? parseDockerSize(v.Size) : null;
      if (v.Name && size !== null) out.set(v.Name, size);
    }
    return out;
  }

  private toInstance(doc: InspectDoc): Instance {
    const nets = Object.values(doc.NetworkSettings?.Networks ?? {});
    const ip = nets.map((n) => n.IPAddress).find((a) => a) ?? doc.NetworkSettings?.IPAddress ?? null;
    const status = doc.State?.Status ?? 'unknown';
    return {
      name: (doc.Name ?? '').replace(/^\//, ''),
      status: status === 'running' ? 'Running' : status === 'exited' || status === 'created' ? 'Stopped' : status,
      type: 'container',
      ipv4: ip || null,
      config: doc.Config?.Labels ?? {},
      createdAt: doc.Created ?? null,
      lastUsedAt: doc.State?.StartedAt ?? null,
    };
  }

  async list(): Promise<Instance[]> {
    const names = (await this.ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').map((s) => s.trim()).filter(Boolean);
    const out: Instance[] = [];
    for (const n of names) {
      const doc = await this.inspect(n);
      if (doc) out.push(this.toInstance(doc));
    }
    return out;
  }

  async get(name: string): Promise<Instance | null> {
    const doc = await this.inspect(name);
    return doc ? this.toInstance(doc) : null;
  }

  async exec(name: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    // `-e NAME` without a value: docker exec copies it from its own environment, so secrets (VAULT_TOKEN,
    // REDISCLI_AUTH) never appear in a process list.
    const env = Object.keys(opts.env ?? {}).flatMap((k) => ['-e', k]);
    const args = ['exec', ...(opts.input !== undefined ? ['-i'] : []), ...(opts.cwd ? ['-w', opts.cwd] : []), ...env, name, ...argv];
    const r = await this.run(args, { input: opts.input, timeoutMs: opts.timeoutMs, ...(opts.env && Object.keys(opts.env).length ? { env: opts.env } : {}) });
    if (opts.onLine) for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) for (const l of text.split('\n')) if (l) opts.onLine(l, stream);
    return r;
  }

  async pushFile(name: string, localPath: string, remotePath: string, opts: { mode?: number; uid?: number; gid?: number } = {}): Promise<void> {
    await this.ok(['cp', localPath, `${name}:${remotePath}`]);
    if (opts.mode !== undefined) await this.ok(['exec', name, 'chmod', opts.mode.toString(8), remotePath]);
    if (opts.uid !== undefined) await this.ok(['exec', name, 'chown', `${opts.uid}:${opts.gid ?? opts.uid}`, remotePath]);
  }

  async pullFile(name: string, remotePath: string, localPath: string): Promise<void> {
    await this.ok(['cp', `${name}:${remotePath}`, localPath]);
  }

  async start(name: string): Promise<void> {
    await this.ok(['start', name]);
  }
  async stop(name: string, opts: { timeoutS?: number } = {}): Promise<void> {
    await this.ok(['stop', ...(opts.timeoutS !== undefined ? ['-t', String(opts.timeoutS)] : []), name]);
  }
  async delete(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.ok(['rm', ...(opts.force ? ['-f'] : []), name]);
  }
  async exportTo(name: string, file: string): Promise<void> {
    await this.ok(['export', '--output', file, name]);
  }
}
