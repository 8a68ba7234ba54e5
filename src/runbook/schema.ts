// The runbook format: one TOML file declaring what to watch and the ordered steps of a cutover.
// Every field is documented in docs/runbook.md; `cutover schema` publishes this as JSON Schema.
import { z } from 'zod';

export const slug = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+ (lower-case letters, digits, dashes)');
const containerName = z.string().regex(/^([a-z0-9-]+:)?[a-zA-Z0-9][a-zA-Z0-9-]*$/, 'not a valid Incus instance name');
/** Absolute, normalised path with no `..` segment. Templates ({{…}}) are allowed inside. */
export const absPath = z
  .string()
  .refine((p) => p.startsWith('/') || p.startsWith('{{'), 'must be an absolute path (starting with /)')
  .refine((p) => !p.split('/').includes('..'), 'must not contain a ".." segment');
/** "90s", "3m", "7d", "500ms". */
export const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration like 500ms, 90s, 3m, 2h or 7d');
export const mode = z.string().regex(/^0?[0-7]{3,4}$/, 'must be an octal mode like "0600"');
export const owner = z.string().regex(/^[a-z0-9_-]+(:[a-z0-9_-]+)?$|^\d+(:\d+)?$/, 'must be "user[:group]" or "uid[:gid]"');

export const RunbookMeta = z.strictObject({
  name: slug,
  title: z.string().optional(),
  description: z.string().optional(),
  /** The host the cutover runs on, as shown in the header and the report. */
  host: z.string(),
  /** Maximum acceptable outage, shown against the outage clock. */
  outage_budget: duration.default('3m'),
  /** Where state (journal, backups of edited files) lives; default XDG state dir. */
  state_dir: absPath.optional(),
});

export const RuntimeConfig = z.strictObject({
  kind: z.literal('incus').default('incus'),
  /** Incus remote, used as `REMOTE:NAME`. Empty = local. */
  remote: z.string().optional(),
  /** Path to the incus binary; default `incus` on PATH or $CUTOVER_INCUS. */
  binary: z.string().optional(),
});

export const ContainerDecl = z.strictObject({
  name: containerName,
  /** legacy: replaced by the cutover; target: the new one; other: only watched. */
  role: z.enum(['legacy', 'target', 'other']),
  description: z.string().optional(),
});

export const ProxyConfig = z.strictObject({
  kind: z.literal('caddy').default('caddy'),
  caddyfile: absPath,
  /** Caddy admin API base, loopback only, e.g. http://127.0.0.1:2019 */
  admin: z.string().url(),
  /** Site addresses (hosts) whose upstreams this runbook owns. */
  sites: z.array(z.string().min(1)).min(1),
  /** Label used in the backup name Caddyfile.bak.<label>-YYYYMMDD-HHMMSS. Default: runbook name. */
  backup_label: slug.optional(),
  /** Path to the caddy binary; default `caddy` on PATH. */
  binary: z.string().optional(),
  /**
   * How the public vantage is reached: a base URL (scheme://addr[:port]) that requests are sent to with
   * the identity's host as Host header (and SNI for https). Default: https://{host}.
   */
  public_url: z.string().optional(),
  /**
   * A reverse_proxy that balances a legacy dial with another upstream: refuse (default, a preflight blocker),
   * replace_legacy (only the legacy dials move), collapse (the whole list becomes the new upstream).
   */
  mixed_upstreams: z.enum(['refuse', 'replace_legacy', 'collapse']).optional(),
  /**
   * Sites this runbook does not own that also dial a legacy container (a status page, say): acknowledged, they
   * answer 502 once the legacy daemon stops. Such a site not listed here is a preflight blocker.
   */
  also_dials_legacy: z.array(z.string().min(1)).optional(),
  /**
   * Hold mode: proxy.repoint adds lb_try_duration (this long), lb_try_interval and a short dial_timeout to the
   * sites' reverse_proxy, so Caddy holds requests while no daemon listens; proxy.release takes them out again.
   */
  hold: duration.optional(),
});

export const IdentityDecl = z.strictObject({
  slug,
  /** Public host name, e.g. arne.posta.no. Must be one of proxy.sites. */
  host: z.string().min(1),
  /** Canonical URL written into the manifest. */
  url: z.string().url(),
  /** Legacy single-tenant container serving this identity before the cutover. */
  legacy_container: containerName,
  /** Expected actor name in the actor document (smoke). */
  actor_name: z.string().optional(),
  /** Paths of the identity's data in the legacy container. */
  legacy_keys: absPath,
  legacy_db: absPath,
  /** Per-identity data directory in the target container. */
  data_dir: absPath,
  /** Port the daemon listens on inside containers (local vantage). */
  port: z.number().int().min(1).max(65535).default(80),
});

/** A Gatus-style condition: `status == 200`, `body.name == "Arne"`, `header.content-type contains html`, `time < 500ms`. */
export const Condition = z.string().min(1);

export const SmokeCheck = z.strictObject({
  name: z.string().regex(/^[a-z0-9_-]+$/),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  /** Path and query, templated. */
  path: z.string().startsWith('/'),
  /** none: no Authorization; token: Bearer with an existing device token from the identity's token DB. */
  auth: z.enum(['none', 'token']).default('none'),
  conditions: z.array(Condition).min(1),
  timeout: duration.default('3s'),
});

export const TokensConfig = z.strictObject({
  /** SQLite DB in the target container (templated per identity), e.g. {{identity.data_dir}}/inbox.db */
  db: z.string().min(1),
  table: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('auth_tokens'),
  /** Columns used for the panel. */
  name_column: z.string().default('name'),
  token_column: z.string().default('token'),
  created_column: z.string().default('created_at'),
  last_seen_column: z.string().default('last_seen_at'),
});

/** How a step is undone. "auto": the action knows its own undo (proxy.repoint, config.set, file.write). */
export const RollbackSpec = z.union([
  z.literal('auto'),
  z.literal('none'),
  z.looseObject({ action: z.string() }),
]);

/** What `for_each` may expand over. */
export const FOR_EACH = ['identities', 'legacy_containers'] as const;

/** Fields common to every step; action-specific fields are checked by each action's params (src/actions/<name>.ts, through the catalog). */
export const StepBase = z.looseObject({
  id: slug,
  title: z.string().min(1),
  action: z.string(),
  /** Changes live state. Needs a rollback (or rollback = "none" with rollback_reason). */
  destructive: z.boolean().default(false),
  /** Cannot be undone at all (delete). The cockpit asks for the typed container name. */
  irreversible: z.boolean().default(false),
  rollback: RollbackSpec.optional(),
  rollback_reason: z.string().optional(),
  /** Conditions checked after the step; same shape as smoke conditions, over the step's result. */
  verify: z.array(Condition).optional(),
  /** Expand the step once per item: "identities" binds {{identity.*}}, "legacy_containers" binds {{container.*}}. */
  for_each: z.string().optional(),
  /** Marks the step that opens / closes the outage window. */
  outage: z.enum(['opens', 'closes']).optional(),
  /** A step that must have succeeded before this one may run (default: the previous step). */
  after: z.array(slug).optional(),
  /** With for_each: the expansions run at once (each journaled running before any of them acts), not one after another. */
  parallel: z.boolean().optional(),
});

/** A templated string parameter ({{…}} allowed). */
export const tmpl = z.string().min(1);

export const Runbook = z.strictObject({
  runbook: RunbookMeta,
  runtime: RuntimeConfig.default({ kind: 'incus' }),
  containers: z.array(ContainerDecl).min(1),
  proxy: ProxyConfig.optional(),
  identities: z.array(IdentityDecl).default([]),
  smoke: z.array(SmokeCheck).default([]),
  tokens: TokensConfig.optional(),
  steps: z.array(StepBase).min(1),
});

export type Runbook = z.infer<typeof Runbook>;
export type Step = z.infer<typeof StepBase>;
export type IdentityDecl = z.infer<typeof IdentityDecl>;
export type SmokeCheck = z.infer<typeof SmokeCheck>;
export type ContainerDecl = z.infer<typeof ContainerDecl>;
