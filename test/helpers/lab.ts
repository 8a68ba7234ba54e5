// A throwaway lab per test file: built with the real binary (`cutover lab up`), always taken down and
// removed afterwards, even when the test fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createHttp } from '../../src/adapters/http.ts';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { labLayout, type LabConfig } from '../../src/lab/layout.ts';
import { readJson } from '../../src/lab/fsutil.ts';
import type { FullRuntime } from '../../src/ports.ts';
import { runCli } from './cli.ts';

export interface TestLab {
  dir: string;
  env: { CUTOVER_LAB_DIR: string; CUTOVER_INCUS: string };
  config: LabConfig;
  runtime: FullRuntime;
  upMs: number;
  cli(args: string[]): ReturnType<typeof runCli>;
}

export async function startLab(t: TestContext, args: string[] = []): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-lab-'));
  const env = { CUTOVER_LAB_DIR: dir, CUTOVER_INCUS: labLayout(dir).incus };
  // A whole lab cutover can take minutes on a busy machine: runCli's 60 s default would kill it mid-run.
  const cli = (a: string[]) => runCli(a, { env, timeoutMs: 600_000 });
  t.after(async () => {
    await runCli(['lab', 'down', '--dir', dir], { env });
    rmSync(dir, { recursive: true, force: true });
  });
  const started = Date.now();
  const up = await cli(['lab', 'up', '--dir', dir, ...args]);
  const upMs = Date.now() - started;
  if (up.code !== 0) throw new Error(`lab up failed (exit ${up.code}):\n${up.stderr}`);
  const config = readJson<LabConfig>(labLayout(dir).config);
  if (!config) throw new Error(`lab up left no lab.json in ${dir}`);
  return { dir, env, config, runtime: createIncusRuntime({ env: { ...process.env, ...env } }), upMs, cli };
}

/** GET through the lab's Caddy with a Host header (the product's own HTTP adapter). */
export async function viaCaddy(lab: TestLab, host: string, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000) {
  const http = createHttp({ defaultTimeoutMs: timeoutMs });
  try {
    const res = await http.request({ url: `http://${lab.config.caddy.ip}:${lab.config.caddy.httpPort}${path}`, host, headers });
    return { status: res.status, body: res.body, contentType: res.headers['content-type'] ?? '', ms: res.timeMs };
  } finally {
    await http.close();
  }
}
