// The ActionContext a step runs with: the ports, private work/backup dirs, and the resolver for run-time
// template values left in step params ({{ip("posta")}}, {{now}}, {{baseline.…}}).
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { ActionContext, ActionEvent, DecommissionInputs } from '../actions/types.ts';
import type { CommandListener } from '../adapters/command-log.ts';
import { NoAddressError } from '../actions/types.ts';
export { withCommandLog } from '../adapters/command-log.ts';
import type { CheckContext } from '../actions/checks.ts';
import type { Http, Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import { renderTemplate } from '../runbook/template.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import { baselineResolver } from '../../checks/baseline.ts';
import { fileBaselineStore } from '../../checks/baseline-store.ts';
import type { BaselineStore } from '../../checks/baseline.ts';

export { NoAddressError };

/**
 * Resolves the run-time template values left in step params ({{ip("posta")}}, {{now}}, {{baseline.…}}) from
 * the live runtime. Steps use it through ActionContext.resolve; the cockpit's diff preview uses it too.
 */
export function runtimeResolver(i: { runbook: Runbook; runtime: Runtime; env: Record<string, string | undefined>; baselines: BaselineStore }): (text: string) => Promise<string> {
  return async (text) => {
    if (!text.includes('{{')) return text;
    const instances = /\bip\s*\(/.test(text) ? await i.runtime.list() : [];
    const baseline = /baseline\./.test(text) ? await i.baselines.load() : null;
    return renderTemplate(
      text,
      { runbook: { name: i.runbook.runbook.name, host: i.runbook.runbook.host }, env: i.env, now: new Date() },
      {
        ip: (name) => {
          const ip = instances.find((x) => x.name === name)?.ipv4;
          if (!ip) throw new NoAddressError(name, instanceRef(i.runbook, name));
          return ip;
        },
        baseline: baselineResolver(baseline),
      },
    );
  };
}

export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

export interface ContextInputs {
  runbook: Runbook;
  runbookPath: string;
  stateDir: string;
  runId: number;
  runtime: Runtime;
  http: Http;
  env: Record<string, string | undefined>;
  emit(event: ActionEvent): void;
  confirm(prompt: string): Promise<boolean>;
  confirmTyped?(prompt: string, expected: string): Promise<boolean>;
  registerSecret(secret: string): void;
  /** Journals a step's intent before it changes anything (ActionContext.intend). */
  intend?(intent: Record<string, unknown>): void;
  decommission?: DecommissionInputs;
}

export function actionContext(i: ContextInputs): CheckContext {
  const baselines = fileBaselineStore(i.stateDir);
  return {
    runtime: i.runtime,
    http: i.http,
    runbook: i.runbook,
    runbookDir: dirname(resolvePath(i.runbookPath)),
    workDir: privateDir(join(i.stateDir, 'work', `run-${i.runId}`)),
    backupDir: privateDir(join(i.stateDir, 'backups')),
    env: i.env,
    runId: i.runId,
    baselines,
    registerSecret: i.registerSecret,
    ...(i.intend ? { intend: i.intend } : {}),
    emit: i.emit,
    confirm: i.confirm,
    ...(i.confirmTyped ? { confirmTyped: i.confirmTyped } : {}),
    now: () => Date.now(),
    ...(i.decommission ? { decommission: i.decommission } : {}),
    resolve: runtimeResolver({ runbook: i.runbook, runtime: i.runtime, env: i.env, baselines }),
  };
}

/** The commands the adapters run while a step (or its undo) works, as the step's "$ …" lines. */
export function commandsTo(ctx: Pick<ActionContext, 'emit'>): CommandListener {
  return (argv) => ctx.emit({ kind: 'command', argv: [...argv] });
}
