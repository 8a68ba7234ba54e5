// Token secrets never reach the journal: the journal stores a hash and a masked prefix, and scrubs every
// text it writes of the secrets it was told about (plus anything that looks like a bearer header).
import { hashToken, maskToken } from '../../checks/baseline.ts';

/** The same mask the token panel shows (checks/baseline.ts), so journal, report and screen agree. */
export const maskSecret = maskToken;

/** Stable, non-reversible id of a secret: compares baselines without storing the secret. */
export function fingerprintSecret(secret: string): string {
  return 'sha256:' + hashToken(secret).slice(0, 16);
}

const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(...secrets: string[]): void {
    for (const s of secrets) if (s.length >= 4) this.secrets.add(s);
  }

  apply(text: string): string;
  apply(text: string | null | undefined): string | null;
  apply(text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    let out = text.replace(BEARER, '$1***');
    for (const s of this.secrets) {
      out = out.split(s).join(maskSecret(s));
      // The same secret as it appears inside a JSON string.
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s) out = out.split(escaped).join(maskSecret(s));
    }
    return out;
  }

  json(value: unknown): string | null {
    return value === undefined ? null : this.apply(JSON.stringify(value));
  }
}
