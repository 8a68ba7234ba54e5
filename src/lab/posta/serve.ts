// `posta-server serve`: single-tenant (legacy flags) or multi-tenant (--manifest, Host dispatch).
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { PostaError } from './errors.ts';
import { LATE_CRASH_MS, parseFaults, SLOW_IDENTITY_DELAY_MS, type Faults } from './faults.ts';
import { openLegacyInbox, openTenantInbox, LEGACY_SCHEMA_VERSION, MULTI_TENANT_SCHEMA_VERSION, type InboxDb } from './inbox-db.ts';
import { readKeys } from './keys.ts';
import { formatListen, listenAnyAllowed, parseListen, type ListenAddress } from './listen.ts';
import { logError, logInfo, logValue } from './log.ts';
import { readManifest } from './manifest.ts';
import { resolveInRoot } from './paths.ts';
import { createPostaServer, type Tenant } from './server.ts';

const SINGLE_TENANT_FLAGS = ['url', 'keys', 'db', 'name'] as const;

export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseOrThrow(argv);
  const faults = parseFaults(values.fault ?? [], env.POSTA_FAULTS);
  const listenArg = env.POSTA_LISTEN || values.listen;
  if (!listenArg) throw new PostaError('serve: --listen ADDR is required', 2);
  const listen = parseListen(listenArg, listenAnyAllowed(values.root));

  if (values.manifest !== undefined) {
    const clashing = SINGLE_TENANT_FLAGS.filter((f) => values[f] !== undefined).map((f) => `--${f}`);
    if (clashing.length) {
      throw new PostaError(`serve: --manifest cannot be combined with the single-tenant flags ${clashing.join(', ')}; the manifest names every identity's url, keys and db`, 2);
    }
    return serveMultiTenant(resolveInRoot(values.root, values.manifest), values.root, listen, faults);
  }
  const missing = (['url', 'keys', 'db'] as const).filter((f) => values[f] === undefined).map((f) => `--${f}`);
  if (missing.length) throw new PostaError(`serve: single-tenant mode needs ${missing.join(', ')} (or use --manifest FILE for multi-tenant mode)`, 2);
  return serveSingleTenant(values as Required<Pick<typeof values, 'url' | 'keys' | 'db'>> & typeof values, listen, faults);
}

function parseOrThrow(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        url: { type: 'string' },
        keys: { type: 'string' },
        db: { type: 'string' },
        name: { type: 'string' },
        manifest: { type: 'string' },
        root: { type: 'string' },
        fault: { type: 'string', multiple: true },
      },
    });
  } catch (err) {
    throw new PostaError(`serve: ${(err as Error).message}`, 2);
  }
}

async function serveSingleTenant(
  values: { url: string; keys: string; db: string; name?: string; root?: string },
  listen: ListenAddress,
  faults: Faults,
): Promise<number> {
  const slug = slugOfUrl(values.url);
  const startLine = `posta-server starting mode=single-tenant identity=${slug} listen=${formatListen(listen)}`;
  logInfo(startLine);
  if (faults.noisyLogs) writeNoisyLogs(startLine, slug);
  const tenant = taggedWith(slug, (): Tenant => {
    const keys = readKeys(resolveInRoot(values.root, values.keys));
    const name = values.name ?? keys.name;
    if (!name) throw new PostaError(`no actor name: pass --name or store "name" in ${values.keys}`, 2);
    const { db, created } = openLegacyInbox(resolveInRoot(values.root, values.db));
    if (created) logInfo(`identity=${slug} created inbox ${values.db} schema v${LEGACY_SCHEMA_VERSION}`);
    return { slug, host: new URL(values.url).hostname.toLowerCase(), name, url: values.url, publicKey: keys.publicKey, db, delayMs: delayFor(slug, faults) };
  });
  return run([tenant], 'single', listen, faults);
}

async function serveMultiTenant(manifestPath: string, root: string | undefined, listen: ListenAddress, faults: Faults): Promise<number> {
  const identities = readManifest(manifestPath);
  const slugs = identities.map((i) => i.slug);
  const startLine = `posta-server starting mode=multi-tenant identities=${slugs.join(',')} listen=${formatListen(listen)}`;
  logInfo(startLine);
  if (faults.noisyLogs) writeNoisyLogs(startLine, slugs[0]!);
  if (faults.daemonCrash) {
    logError('panic: runtime error: invalid memory address or nil pointer dereference (fault daemon-crash)');
    return 1;
  }
  const tenants: Tenant[] = [];
  try {
    for (const identity of identities) {
      const { slug } = identity;
      tenants.push(
        taggedWith(slug, (): Tenant => {
          const keys = readKeys(resolveInRoot(root, identity.keys));
          const { db, migratedFrom } = openTenantInbox(resolveInRoot(root, identity.db), slug);
          if (migratedFrom !== null) logInfo(`identity=${slug} migrated schema v${migratedFrom} -> v${MULTI_TENANT_SCHEMA_VERSION}`);
          if (!keys.name) logInfo(`identity=${slug} warning=${logValue('keys.json has no name; the actor document uses the slug')}`);
          return { slug, host: identity.host, name: keys.name ?? slug, url: identity.url, publicKey: keys.publicKey, db, delayMs: delayFor(slug, faults) };
        }),
      );
    }
  } catch (err) {
    closeAll(tenants.map((t) => t.db));
    throw err;
  }
  return run(tenants, 'host', listen, faults);
}

async function run(tenants: Tenant[], dispatch: 'host' | 'single', listen: ListenAddress, faults: Faults): Promise<number> {
  // Handlers go in before the "listening" line: a supervisor may send SIGTERM the moment it reads it.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const posta = createPostaServer({ tenants, dispatch });
  const dbs = tenants.map((t) => t.db);
  posta.server.listen(listen.port, listen.host);
  try {
    await Promise.race([once(posta.server, 'listening'), once(posta.server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    closeAll(dbs);
    throw new PostaError(`cannot listen on ${formatListen(listen)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  logInfo(`listening on ${formatListen(listen)} startup_ms=${Math.round(performance.now())}`);
  if (faults.lateCrash) {
    const crashed = new Promise<'crash'>((resolve) => setTimeout(() => resolve('crash'), LATE_CRASH_MS).unref());
    if ((await Promise.race([signalled, crashed])) === 'crash') {
      logError(`panic: send on closed channel (fault late-crash, ${LATE_CRASH_MS} ms after listening)`);
      closeAll(dbs);
      return 1;
    }
  }
  const signal = await signalled;
  logInfo(`shutting down signal=${signal}`);
  await posta.close();
  closeAll(dbs);
  logInfo('stopped');
  return 0;
}

/** Runs an identity's loading; a failure is logged as `identity=SLUG error=…` and ends start-up. */
function taggedWith<T>(slug: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    logError(`identity=${slug} error=${logValue((err as Error).message)}`);
    throw new PostaError(`identity ${slug} failed to load; exiting`, err instanceof PostaError ? err.exitCode : 1);
  }
}

function closeAll(dbs: InboxDb[]): void {
  for (const db of dbs) if (db.open) db.close();
}

function delayFor(slug: string, faults: Faults): number {
  return faults.slowIdentities.has(slug) ? SLOW_IDENTITY_DELAY_MS : 0;
}

/** A log that looks like the daemon already crashed and restarted once (fault noisy-logs). */
function writeNoisyLogs(startLine: string, slug: string): void {
  logError('panic: send on closed channel (fault noisy-logs)');
  logInfo(startLine);
  logError(`identity=${slug} error=${logValue('database is locked (fault noisy-logs)')}`);
  logError(`identity=${slug} error=${logValue('token lookup failed: context deadline exceeded (fault noisy-logs)')}`);
}

/** Single-tenant posta has no slug; the first label of its URL's host stands in ("arne.posta.no" → "arne"). */
function slugOfUrl(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new PostaError(`serve: --url ${url} is not a URL`, 2);
  }
  return host.split('.')[0]!.toLowerCase();
}
