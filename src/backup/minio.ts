// Class D: reading `mc mirror --json`. mc prints one JSON object per copied object ({"status":"success",
// "source","target","size","totalCount","totalSize"}, pretty-printed over several lines by current mc) and
// {"status":"error","error":{"message",…}} when something fails, exiting 1. Shapes: minio/mc cmd/mirror-main.go
// (mirrorMessage) and pkg/probe error messages; recorded in test/fixtures/cli-contracts/mc-mirror-*.txt.

export interface McMirrorSummary {
  objects: number;
  bytes: number;
  errors: string[];
}

/** Splits a stream of concatenated JSON objects (one per line, or pretty-printed) into values. */
export function splitJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0 && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        // a torn line from an interrupted mc: counted by nothing, reported by the exit code
      }
    }
  }
  return out;
}

export function parseMcMirrorJson(stdout: string): McMirrorSummary {
  const s: McMirrorSummary = { objects: 0, bytes: 0, errors: [] };
  for (const v of splitJsonStream(stdout)) {
    const m = v as { status?: string; size?: number; error?: { message?: string; cause?: { message?: string } } };
    if (m.status === 'success') {
      s.objects++;
      s.bytes += typeof m.size === 'number' ? m.size : 0;
    } else if (m.status === 'error') s.errors.push([m.error?.message, m.error?.cause?.message].filter(Boolean).join(': ') || 'mc reported an error');
  }
  return s;
}
