// OpenRC init scripts as the lab reads them: `command=`, `command_args=`, `output_log=`. Pure.

export interface InitScript {
  command: string;
  args: string[];
  outputLog: string | null;
}

/** Parses the variables the lab needs; null when the script has no `command=`. */
export function parseInitScript(text: string): InitScript | null {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*([a-z_]+)=(.*)$/.exec(raw);
    if (m) vars.set(m[1]!, splitShellWords(m[2]!).join(' '));
  }
  const command = vars.get('command');
  if (!command) return null;
  const argsLine = /^\s*command_args=(.*)$/m.exec(text)?.[1] ?? '';
  return { command, args: splitShellWords(unquoteOnce(argsLine)), outputLog: vars.get('output_log') ?? null };
}

function unquoteOnce(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** Splits a shell word list honouring single and double quotes (no expansion). */
export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const ch of s.trim()) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The `--listen HOST:PORT` value in daemon args, if any. */
export function listenAddress(args: string[]): { host: string; port: number } | null {
  const i = args.findIndex((a) => a === '--listen' || a.startsWith('--listen='));
  if (i < 0) return null;
  const value = args[i]!.includes('=') ? args[i]!.slice('--listen='.length) : args[i + 1];
  const m = value ? /^(.*):(\d+)$/.exec(value) : null;
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/** Replaces a wildcard listen host (0.0.0.0, [::], empty) with the container's own address. */
export function bindToContainer(args: string[], ip: string): string[] {
  return args.map((a, i) => {
    const isValue = args[i - 1] === '--listen';
    const isInline = a.startsWith('--listen=');
    if (!isValue && !isInline) return a;
    const value = isInline ? a.slice('--listen='.length) : a;
    const mapped = value.replace(/^(0\.0\.0\.0|\[::\]|::|\*)?:(\d+)$/, `${ip}:$2`);
    return isInline ? `--listen=${mapped}` : mapped;
  });
}

/** The legacy single-tenant init script the lab installs in arne-msg & co. */
export function legacyInitScript(o: { url: string; name: string; port: number }): string {
  return `#!/sbin/openrc-run
name="posta"
command="/usr/local/bin/posta-server"
command_args="serve --listen 0.0.0.0:${o.port} --url ${o.url} --keys /var/lib/posta/keys.json --db /var/lib/posta/inbox.db --name ${o.name}"
command_background=true
pidfile="/run/posta.pid"
output_log="/var/log/posta.log"
error_log="/var/log/posta.log"
`;
}
