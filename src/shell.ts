// argv as a line an operator can paste into a shell: words quoted only when they need it. Pure.

/** Shell-quotes a word only when it needs it, so commands read as typed. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./<>-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
