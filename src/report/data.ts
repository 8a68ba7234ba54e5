// Everything a report shows, read from the journal only (no live calls): the run, its steps folded from
// events, the last verify snapshot, baselines, waivers, and the decommission run if there is one.
import TOML from '@iarna/toml';
import type { Snapshot } from '../../checks/types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { parseDuration } from '../engine/duration.ts';
import { checkRunbookText } from '../runbook/load.ts';
import type { ActionCatalog } from '../runbook/catalog.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import type { Journal } from '../journal/journal.ts';
import type { BaselineRecord, RunRecord, StepRecord, WaiverRecord } from '../journal/types.ts';
import { rollbackRecords, type RollbackRecords } from './rollback-records.ts';

export const DEFAULT_STABILITY_WINDOW = '7d';

/** What the report needs from the runbook text stored with the run (read loosely: it may be old). */
export interface RunbookFacts {
  name: string;
  title: string | null;
  host: string;
  /** ref: how the report names it (`REMOTE:NAME` when the runbook used an Incus remote). */
  containers: { name: string; role: string; ref: string }[];
  /** The runbook's `[runtime] remote` (null: the local Incus): other instance names in the report are put as `REMOTE:NAME` with it. */
  remote: string | null;
  identities: { slug: string; host: string; dataDir: string | null }[];
  caddyfile: string | null;
  /** The gate.stability window if the runbook has one. */
  stabilityWindow: string | null;
}

export interface RunSection {
  run: RunRecord;
  runbook: RunbookFacts;
  /** The run's resolved plan from its stored runbook text; null when that no longer loads (planProblem says why). */
  plan: ResolvedStep[] | null;
  planProblem: string | null;
  /** The actions the plan was loaded with: their descriptors spell the by-hand rollback (report/rollback.ts). */
  catalog: ActionCatalog;
  steps: StepRecord[];
  snapshot: { at: number; snapshot: Snapshot } | null;
  baselines: BaselineRecord[];
  waivers: WaiverRecord[];
  /** The rollback's proofs of the legacy path and its new-writes decision (report/rollback.ts). */
  rollbackRecords?: RollbackRecords;
}

export interface ReportData extends RunSection {
  stabilityWindow: string;
  stabilityWindowMs: number;
  /** The latest decommission run recorded in the same journal, after this run. */
  decommission: RunSection | null;
}

export class NoRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoRunError';
  }
}

/** The report of a run (the latest apply/run by default); its stored runbook is loaded against `catalog`. */
export function loadReportData(journal: Journal, catalog: ActionCatalog, opts: { runId?: number } = {}): ReportData {
  const runs = journal.runs();
  const run = opts.runId !== undefined ? runs.find((r) => r.id === opts.runId) : [...runs].reverse().find((r) => (r.mode === 'apply' || r.mode === 'run') && !isDecommissionRun(r));
  if (!run) {
    throw new NoRunError(opts.runId !== undefined ? `${journal.file}: no run ${opts.runId} (runs: ${runs.map((r) => r.id).join(', ') || 'none'})` : `${journal.file}: no cutover run recorded yet`);
  }
  const main = section(journal, run, catalog);
  const decomRun = [...runs].reverse().find((r) => isDecommissionRun(r) && r.id > run.id);
  const decommission = decomRun ? section(journal, decomRun, catalog) : null;
  const stabilityWindow = decommission?.runbook.stabilityWindow ?? main.runbook.stabilityWindow ?? DEFAULT_STABILITY_WINDOW;
  return { ...main, stabilityWindow, stabilityWindowMs: parseDuration(stabilityWindow), decommission };
}

function section(journal: Journal, run: RunRecord, catalog: ActionCatalog): RunSection {
  // The journal's environment renders {{env.X}} (a lab runbook's paths) the way the driver saw them.
  const loaded = checkRunbookText(run.runbookText, run.runbookPath, { catalog, env: journal.env });
  return {
    run,
    catalog,
    runbook: runbookFacts(run),
    plan: loaded.steps ?? null,
    planProblem: loaded.steps ? null : (loaded.problems[0]?.message ?? 'the stored runbook does not load'),
    steps: [...journal.stepStates(run.id).values()],
    snapshot: journal.latestSnapshot(run.id, 'verify') ?? journal.latestSnapshot(run.id),
    baselines: journal.baselines(run.id),
    waivers: journal.waivers(run.id),
    rollbackRecords: rollbackRecords(journal.events(run.id)),
  };
}

/** A decommission run: journaled as such, or a run of a runbook with a stability gate (a driver that only knows apply). */
export function isDecommissionRun(r: Pick<RunRecord, 'mode' | 'runbookText' | 'runbookName' | 'host'>): boolean {
  return r.mode === 'decommission' || runbookFacts(r).stabilityWindow !== null;
}

type Loose = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const list = (v: unknown): Loose[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Loose[]) : []);

export function runbookFacts(run: Pick<RunRecord, 'runbookText' | 'runbookName' | 'host'>): RunbookFacts {
  let doc: Loose = {};
  try {
    doc = TOML.parse(run.runbookText) as Loose;
  } catch {
    // An unreadable stored runbook still gets a report from the events alone.
  }
  const meta = (doc.runbook ?? {}) as Loose;
  const proxy = (doc.proxy ?? {}) as Loose;
  const gate = list(doc.steps).find((s) => s.action === 'gate.stability');
  const remote = str(((doc.runtime ?? {}) as Loose).remote);
  return {
    name: str(meta.name) ?? run.runbookName,
    title: str(meta.title),
    host: str(meta.host) ?? run.host,
    containers: list(doc.containers).map((c) => ({ name: String(c.name), role: String(c.role), ref: instanceRef({ runtime: { remote } }, String(c.name)) })),
    remote,
    identities: list(doc.identities).map((i) => ({ slug: String(i.slug), host: String(i.host), dataDir: str(i.data_dir) })),
    caddyfile: str(proxy.caddyfile),
    stabilityWindow: gate ? (str(gate.window) ?? DEFAULT_STABILITY_WINDOW) : null,
  };
}
