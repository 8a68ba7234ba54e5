// `cutover lab up|down|status|fault|env`: the rehearsal lab (a fake fismen on 127.0.10.0/24).
import { parseCommandArgs } from '../contract/args.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { labDir } from '../paths.ts';

export const help = `Usage: cutover lab up|down|status|fault|env [options]

The rehearsal lab: three legacy posta containers (arne-msg, marcus-msg, tarald-msg) running the single-tenant
stand-in daemon, a real Caddy on 127.0.10.1 (HTTP :8080, admin :2019) in front of them, device simulators
calling every identity with its pre-cutover token every 250 ms, and an Incus-compatible \`incus\` for cutover.
Only loopback addresses in 127.0.10.0/24 are used.

  cutover lab up [--identities N] [--fault NAME]…   build (or rebuild) and start the lab (< 10 s)
  cutover lab down                                   stop every process the lab started
  cutover lab status [--json] [--show-tokens]        Caddy, containers, identities, device timeline, faults
  cutover lab fault NAME [--off]                     inject (or clear) a fault on a running lab
  cutover lab env                                    print the exports that point cutover at the lab

Options:
  --dir DIR        lab directory (default: $CUTOVER_LAB_DIR, else \${XDG_STATE_HOME:-~/.local/state}/cutover/lab)
  --identities N   number of identities (default 3: arne, marcus, tarald)
  --fault NAME     truncated-copy | wrong-mode | daemon-crash | late-crash | reload-failure | slow-identity | autostart | noisy-logs | ignore-stop | new-address
  --json           one JSON document on stdout
  --show-tokens    show device tokens unmasked

Lab runbooks: runbooks/lab/posta-cutover.toml and runbooks/lab/posta-decommission.toml, with
CUTOVER_LAB_DIR and CUTOVER_INCUS exported (see \`cutover lab env\`).

Exit codes: 0 ok, 1 the lab is down or failed to start, 2 bad input.
`;

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    'lab',
    argv,
    {
      dir: { type: 'string' },
      identities: { type: 'string' },
      fault: { type: 'string', multiple: true },
      off: { type: 'boolean' },
      json: { type: 'boolean' },
      'show-tokens': { type: 'boolean' },
    },
    { positionals: [1, 2] },
  );
  const [sub, arg] = positionals;
  const dir = values.dir ?? labDir(io.env);
  if (!dir.startsWith('/')) throw new CliError(`lab: --dir must be an absolute path, got "${dir}"`, 'usage');
  const { FAULTS, isFaultName } = await import('../lab/faults.ts');
  const checkFault = (f: string) => {
    if (!isFaultName(f)) throw new CliError(`lab: unknown fault "${f}"; known: ${Object.keys(FAULTS).join(', ')}`, 'usage');
    return f;
  };

  switch (sub) {
    case 'up': {
      const faults = (values.fault ?? []).map(checkFault);
      const identities = values.identities === undefined ? undefined : Number(values.identities);
      const { labUp, LabError } = await import('../lab/up.ts');
      const started = Date.now();
      try {
        await labUp({ dir, identities, faults, progress: (l) => io.stderr.write(l + '\n') });
      } catch (err) {
        if (err instanceof LabError) throw new CliError(`lab up: ${err.message}`, 'failed');
        throw err;
      }
      // New instances: the lab runbooks' old runs and baseline are retired (kept and journaled, not deleted).
      const { retireLabState } = await import('./lab-retire.ts');
      for (const r of retireLabState(io.env, dir)) io.stderr.write(`lab: retired the old lab's runbook state (${r.runs} run(s)) → ${r.to} (kept, not deleted; a note is in its journal)\n`);
      io.stderr.write(`lab up in ${((Date.now() - started) / 1000).toFixed(1)} s — cutover lab status --dir ${dir}\n`);
      return 'ok';
    }
    case 'down': {
      const { labDown } = await import('../lab/down.ts');
      const r = await labDown(dir);
      io.stderr.write(r.stopped.length ? `lab down: stopped ${r.stopped.join(', ')}\n` : `lab down: nothing was running in ${dir}\n`);
      if (r.foreign.length) {
        io.stderr.write(`lab down: listeners of other processes remain in 127.0.10.0/24: ${r.foreign.map((s) => `${s.address}:${s.port} (pid ${s.pids.join(',') || '?'})`).join(', ')}\n`);
      }
      return 'ok';
    }
    case 'status': {
      const { labStatus, formatLabStatus } = await import('../lab/status.ts');
      const s = await labStatus(dir, { showTokens: values['show-tokens'] });
      if (!s) {
        if (values.json) io.stdout.write(JSON.stringify({ dir, up: false, built: false }) + '\n');
        io.stderr.write(`lab: no lab in ${dir}; build one with \`cutover lab up\`\n`);
        return 'red';
      }
      if (values.json) io.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else io.stderr.write(formatLabStatus(s));
      return s.up ? 'ok' : 'red';
    }
    case 'fault': {
      if (!arg) throw new CliError(`lab fault: which fault? known: ${Object.keys(FAULTS).join(', ')}`, 'usage');
      const name = checkFault(arg);
      const { setFault } = await import('../lab/faults.ts');
      const { existsSync } = await import('node:fs');
      const { labLayout } = await import('../lab/layout.ts');
      if (!existsSync(labLayout(dir).config)) throw new CliError(`lab fault: no lab in ${dir}; build one with \`cutover lab up --fault ${name}\``, 'refused');
      const state = setFault(dir, name, !values.off);
      io.stderr.write(`lab fault ${name} ${values.off ? 'cleared' : 'on'}: ${FAULTS[name]}\nactive: ${state.active.join(', ') || 'none'}\n`);
      if (['daemon-crash', 'noisy-logs', 'slow-identity'].includes(name)) io.stderr.write('(daemons read faults when they start: restart them with `incus exec NAME -- service posta restart`)\n');
      return 'ok';
    }
    case 'env': {
      const { labLayout } = await import('../lab/layout.ts');
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      io.stdout.write(`export CUTOVER_LAB_DIR=${q(dir)}\nexport CUTOVER_INCUS=${q(labLayout(dir).incus)}\n`);
      return 'ok';
    }
    default:
      throw new CliError(`lab: unknown subcommand "${sub}"; use up, down, status, fault or env. See cutover lab --help.`, 'usage');
  }
}
