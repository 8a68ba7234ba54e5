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

/**
 * What a runtime can do beyond reading and moving files and running commands. Each adapter lists its own;
 * an action that needs one asks through need(), which names the runtime's limit instead of a stub failing.
 *   create: launch · power: start, stop · delete: delete · config: get/set/unset instance config keys ·
 *   export: an instance tarball · log: the instance's own console log
 */
export const RUNTIME_CAPABILITIES = ['create', 'power', 'delete', 'config', 'export', 'log'] as const;
export type RuntimeCapability = (typeof RUNTIME_CAPABILITIES)[number];

/** The container runtime: Incus through its CLI (or the lab's Incus-compatible stand-in), Docker, or this host. */
export interface Runtime {
  /** Which adapter this is, for messages: "incus", "docker", "host". */
  readonly kind: string;
  /** Which optional groups of methods below this runtime implements. */
  readonly capabilities: readonly RuntimeCapability[];
  list(): Promise<Instance[]>;
  /** Exact-name lookup; null when the instance does not exist. */
  get(name: string): Promise<Instance | null>;
  /** Runs argv inside the instance (never through a shell string built from runbook values). */
  exec(name: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  pushFile(name: string, localPath: string, remotePath: string, opts?: PushOptions): Promise<void>;
  pullFile(name: string, remotePath: string, localPath: string): Promise<void>;
  /** create */
  launch?(name: string, image: string, opts?: { profile?: string; config?: Record<string, string> }): Promise<void>;
  /** power */
  start?(name: string): Promise<void>;
  stop?(name: string, opts?: { force?: boolean; timeoutS?: number }): Promise<void>;
  /** delete */
  delete?(name: string, opts?: { force?: boolean }): Promise<void>;
  /** config */
  getConfig?(name: string, key: string): Promise<string>;
  setConfig?(name: string, key: string, value: string): Promise<void>;
  unsetConfig?(name: string, key: string): Promise<void>;
  /** export: `incus export NAME FILE`, a tarball of the instance. */
  exportTo?(name: string, file: string): Promise<void>;
  /** log: `incus info --show-log NAME`, the instance's own console/lxc log (log review). */
  instanceLog?(name: string): Promise<string>;
}

interface CapabilityMethods {
  create: Pick<Required<Runtime>, 'launch'>;
  power: Pick<Required<Runtime>, 'start' | 'stop'>;
  delete: Pick<Required<Runtime>, 'delete'>;
  config: Pick<Required<Runtime>, 'getConfig' | 'setConfig' | 'unsetConfig'>;
  export: Pick<Required<Runtime>, 'exportTo'>;
  log: Pick<Required<Runtime>, 'instanceLog'>;
}

/** A runtime with every capability (Incus). */
export type FullRuntime = Required<Runtime>;

export class UnsupportedCapabilityError extends Error {
  override name = 'UnsupportedCapabilityError';
  constructor(
    readonly runtimeName: string,
    readonly capability: RuntimeCapability,
  ) {
    super(`the ${runtimeName} runtime cannot ${CAPABILITY_VERBS[capability]} (runtime.kind = "incus" can)`);
  }
}

const CAPABILITY_VERBS: Record<RuntimeCapability, string> = {
  create: 'launch instances',
  power: 'start or stop instances',
  delete: 'delete instances',
  config: 'read or change instance config keys',
  export: 'export instances',
  log: 'show an instance log',
};

/** The runtime narrowed to one capability's methods, or an error naming what it cannot do. */
export function need<C extends RuntimeCapability>(rt: Runtime, capability: C): Runtime & CapabilityMethods[C] {
  if (!rt.capabilities.includes(capability)) throw new UnsupportedCapabilityError(rt.kind, capability);
  return rt as Runtime & CapabilityMethods[C];
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
