#!/usr/bin/env node
// posta-server stand-in for the rehearsal lab. It behaves like the real daemon where cutover can see it
// (HTTP surface, files, schema, logs), nothing more.
//
//   posta-server serve --listen ADDR --url URL --keys keys.json --db inbox.db [--name NAME]   single-tenant
//   posta-server serve --listen ADDR --manifest identities.toml                               multi-tenant
//       --root DIR       resolve every path (flags and manifest entries) inside DIR (a lab rootfs);
//                        a path escaping DIR is refused
//       --fault NAME     repeatable; also POSTA_FAULTS=a,b: daemon-crash | slow-identity=SLUG | noisy-logs
//       POSTA_LISTEN=ADDR  overrides --listen (the lab maps an init script's 0.0.0.0:80 to a loopback IP)
//     Binds loopback only — except inside a container with a network namespace of its own, marked by the file
//     /etc/posta-standin/listen-any (the real Incus lane's image has it): there 0.0.0.0:PORT is allowed. Per identity: GET / actor doc {name, publicKey, url}; GET /api/v1/identity
//     (401 without a valid bearer; 200 {slug, name, device, messages} and auth_tokens.last_seen_at set);
//     GET /setup HTML; GET /api/v1/invite/info → 410. Multi-tenant mode dispatches on the Host header
//     (port ignored; unknown host → 404) and migrates each inbox.db from schema v2 to v3 on first open;
//     single-tenant mode creates a missing inbox.db at v2 and refuses v3. SIGTERM/SIGINT: clean exit 0.
//
//   posta-server seed --keys keys.json --db inbox.db --name NAME --tokens tui-dev,phone [--messages 300]
//                     [--root DIR] [--force]
//     Creates keys.json (Ed25519, 0600) and a v2 inbox.db (0600) with those device tokens and N messages;
//     prints {"publicKey": …, "tokens": [{"name", "token"}]} on stdout.
//
// Exit codes: 0 clean stop, 1 runtime failure (missing/corrupt manifest, keys or DB; cannot listen;
// daemon-crash fault), 2 usage error.
import { parseArgs } from 'node:util';
import { PostaError } from './errors.ts';
import { logError } from './log.ts';

const USAGE = `usage: posta-server serve --listen ADDR (--manifest FILE | --url URL --keys FILE --db FILE [--name NAME]) [--root DIR] [--fault NAME]…
       posta-server seed --keys FILE --db FILE --name NAME --tokens a,b [--messages N] [--root DIR] [--force]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') {
    const { serve } = await import('./serve.ts');
    return serve(rest, process.env);
  }
  if (command === 'seed') return seed(rest);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  throw new PostaError(`${command ? `unknown command "${command}"` : 'missing command'}\n${USAGE}`, 2);
}

async function seed(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        keys: { type: 'string' },
        db: { type: 'string' },
        name: { type: 'string' },
        tokens: { type: 'string' },
        messages: { type: 'string' },
        root: { type: 'string' },
        force: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new PostaError(`seed: ${(err as Error).message}`, 2);
  }
  const missing = (['keys', 'db', 'name'] as const).filter((f) => !values[f]).map((f) => `--${f}`);
  if (missing.length) throw new PostaError(`seed: missing ${missing.join(', ')}`, 2);
  const messages = values.messages === undefined ? undefined : Number(values.messages);
  if (messages !== undefined && !(Number.isInteger(messages) && messages >= 0)) throw new PostaError(`seed: --messages must be a whole number, got "${values.messages}"`, 2);
  const { seedIdentity } = await import('./seed.ts');
  const seeded = seedIdentity({
    keys: values.keys!,
    db: values.db!,
    name: values.name!,
    tokens: (values.tokens ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    messages,
    root: values.root,
    force: values.force,
  });
  process.stdout.write(JSON.stringify(seeded) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof PostaError) {
      logError(`posta-server: ${err.message}`);
      process.exit(err.exitCode);
    }
    logError(`panic: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
