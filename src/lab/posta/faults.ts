// Injected faults for rehearsals: repeatable `--fault NAME` and/or POSTA_FAULTS=comma,list.
import { PostaError } from './errors.ts';

export interface Faults {
  /** Multi-tenant mode panics right after the start line, before listening. */
  daemonCrash: boolean;
  /** Slugs whose every answer is delayed by SLOW_IDENTITY_DELAY_MS. */
  slowIdentities: Set<string>;
  /** At start: a second start line, a panic line and two identity error lines. */
  noisyLogs: boolean;
  /** Listens and answers, then panics LATE_CRASH_MS later (a daemon an instant after-start check sees up). */
  lateCrash: boolean;
}

export const LATE_CRASH_MS = 700;

/** Well past the probes' default 3 s timeout: at exactly 3 s the answer and the timeout raced under load. */
export const SLOW_IDENTITY_DELAY_MS = 4500;
export const FAULT_NAMES = ['daemon-crash', 'late-crash', 'slow-identity=SLUG', 'noisy-logs'] as const;

export function parseFaults(flags: string[], env: string | undefined): Faults {
  const faults: Faults = { daemonCrash: false, slowIdentities: new Set(), noisyLogs: false, lateCrash: false };
  const words = [...flags, ...(env ?? '').split(',')].map((w) => w.trim()).filter(Boolean);
  for (const word of words) {
    const [name, arg] = splitOnce(word, '=');
    if (name === 'daemon-crash' && arg === undefined) faults.daemonCrash = true;
    else if (name === 'noisy-logs' && arg === undefined) faults.noisyLogs = true;
    else if (name === 'late-crash' && arg === undefined) faults.lateCrash = true;
    else if (name === 'slow-identity' && arg) faults.slowIdentities.add(arg);
    else throw new PostaError(`unknown fault "${word}" (known: ${FAULT_NAMES.join(', ')})`, 2);
  }
  return faults;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
