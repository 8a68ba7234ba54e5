// Log lines as posta-server writes them: ISO timestamp first, then key=value words.
export function logLine(message: string): string {
  return `${new Date().toISOString()} ${message}\n`;
}

export function logInfo(message: string): void {
  process.stdout.write(logLine(message));
}

export function logError(message: string): void {
  process.stderr.write(logLine(message));
}

/** Quotes a value for a key=value log word when it contains spaces or quotes. */
export function logValue(value: string): string {
  return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
}
