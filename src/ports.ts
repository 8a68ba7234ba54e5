// The boundaries between the pure core and the outside world. Adapters in src/adapters implement these;
// unit tests of pure logic may fake them, integration tests use the real adapters against the lab.

/** One Incus instance as `incus list -f json` reports it, reduced to what cutover needs. */
export interface Instance {
  name: string;
  /** Incus' own words: "Running", "Stopped", "Frozen", "Error" … */
  status: string;
  type: 'container' | 'virtual-machine';
  /** First global IPv4 of a non-loopback interface (eth0 on a normal container), or null. */
  ipv4: string | null;
  /** Local (instance) config keys, e.g. boot.autostart, security.protection.delete. */
  config: Record<string, string>;
  createdAt: string | null;
  lastUsedAt: string | null;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Called once per output line as it arrives (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  env?: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
}

export interface PushOptions {
  mode?: number;
  uid?: number;
  gid?: number;
  createDirs?: boolean;
}

/** The container runtime: Incus through its CLI (or the lab's Incus-compatible stand-in). */
export interface Runtime {
  list(): Promise<Instance[]>;
  /** Exact-name lookup; null when the instance does not exist. */
  get(name: string): Promise<Instance | null>;
  /** Runs argv inside the instance (never through a shell string built from runbook values). */
  exec(name: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  pushFile(name: string, localPath: string, remotePath: string, opts?: PushOptions): Promise<void>;
  pullFile(name: string, remotePath: string, localPath: string): Promise<void>;
  launch(name: string, image: string, opts?: { profile?: string; config?: Record<string, string> }): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string, opts?: { force?: boolean; timeoutS?: number }): Promise<void>;
  delete(name: string, opts?: { force?: boolean }): Promise<void>;
  getConfig(name: string, key: string): Promise<string>;
  setConfig(name: string, key: string, value: string): Promise<void>;
  unsetConfig(name: string, key: string): Promise<void>;
  snapshotCreate(name: string, snapshot: string): Promise<void>;
  snapshotRestore(name: string, snapshot: string): Promise<void>;
  snapshotList(name: string): Promise<string[]>;
  /** `incus export NAME FILE`: a tarball of the instance. */
  exportTo(name: string, file: string): Promise<void>;
  /** `incus info --show-log NAME`: the instance's own console/lxc log (log review). Optional. */
  instanceLog?(name: string): Promise<string>;
}

export interface HttpRequest {
  /** Where to connect: http://127.0.10.11:80/path or https://host/path. */
  url: string;
  method?: string;
  /** Host header override, to probe a site at a container IP (local vantage). */
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from request start to the full body. */
  timeMs: number;
}

export interface Http {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
