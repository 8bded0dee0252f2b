/**
 * Starting a session (`run`, `single`): every input is checked before anything is written, the
 * plan is summarised (and confirmed when costly), references are imported, the job is submitted
 * with the session id as its name, and the session runs to its end in this process.
 */
import type { Command } from 'commander';
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import { parsePathTemplate, unknownTemplateNames } from '../../core/path-template.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { cliIo, type CliContext, type CliIo } from '../cli-context.js';
import { CliExit, exitCodes } from '../handle-cli-error.js';
import { defaultLayoutFor, usage, type GenerationOptions } from './generation-options.js';
import { cliConfig, openCliFleet } from './open-cli-fleet.js';
import { layoutBuiltinNames } from './output-tree.js';
import { confirmCost, planSummaryJson, planSummaryLines, type PlanPreview } from './plan-summary.js';
import { checkReferences, type ResolvedCombo, type ResolvedPrompt } from './resolve-inputs.js';
import { describeOutcome, outcomeJson, runSession } from './session-runner.js';
import type { SessionRecord } from './session-records.js';
import { freshCliSessionId } from '../../operations/cli-session-record.js';
import { getJob } from '../../operations/get-job.js';
import { relabelNotFound } from '../relabel-not-found.js';
import { planCliSession, startCliSession, type CliSessionSpec } from '../../operations/start-cli-session.js';
import { sessionOperationDependencies } from './session-operation-wiring.js';
import { waitForJobWebhooks } from './wait-for-webhooks.js';

/** What a new session is made of: resolved inputs and options, as `run`, `single` and the MCP server give them. */
export interface SessionInputs {
  command: 'run' | 'single';
  options: GenerationOptions;
  combos: ResolvedCombo[];
  prompts: ResolvedPrompt[];
  promptTemplate: string | undefined;
  /** The settings as the user gave them, kept in the session record and log. */
  config: Record<string, unknown>;
}

export interface SessionStart extends SessionInputs {
  dryRun: boolean;
  json: boolean;
  yes: boolean;
}

/** A planned session: its id, what it will make and cost, ready to be submitted. */
export interface PreparedSession {
  sessionId: string;
  preview: PlanPreview;
  /** The estimated cost on the session's lane, USD. */
  costUsd: number;
  inputs: SessionInputs;
  model: string;
}

/** How submitting a prepared session ended. */
export type SubmittedSession =
  | {
      status: 'submitted';
      record: SessionRecord;
      jobId: string;
      callCount: number;
      skippedTaskCount: number;
      /** The job's own webhooks; `generatedSecret` is set (shown once) where the job named no secret. */
      webhooks: Array<{ url: string; generatedSecret: string | undefined }>;
    }
  | { status: 'nothing_to_do'; skippedTaskCount: number };

export async function startSession(context: CliContext, command: Command, start: SessionStart): Promise<void> {
  const io = cliIo(context);
  const { options } = start;
  await checkSessionInputs(start, context.cwd);
  const config = cliConfig(context, command, { provider: options.provider, concurrency: options.concurrency, rpm: options.rpm, cooldownMs: options.cooldownMs });

  const fleet = await openCliFleet(context, command, config);
  try {
    const prepared = await prepareSession(fleet, start);
    const planPreview = prepared.preview;
    if (start.dryRun) {
      if (start.json) io.stdout.write(`${JSON.stringify({ dry_run: true, ...planSummaryJson(planPreview) }, null, 2)}\n`);
      else io.stdout.write(`${planSummaryLines(planPreview).join('\n')}\nDry run: nothing was generated.\n`);
      return;
    }
    (start.json ? io.stderr : io.stdout).write(`${planSummaryLines(planPreview).join('\n')}\n`);
    await confirmCost(prepared.costUsd, io, { yes: start.yes });

    const submitted = await submitSession(fleet, prepared, context.cwd);
    if (submitted.status === 'nothing_to_do') {
      say(io, start.json, `Nothing to do: all ${count(submitted.skippedTaskCount, 'call')} of this plan already completed in earlier sessions (same inputs and seed); their images are in those sessions' output folders. Use another --seed for new ones.`);
      if (start.json) io.stdout.write(`${JSON.stringify({ session_id: null, status: 'nothing_to_do', skipped_tasks: submitted.skippedTaskCount }, null, 2)}\n`);
      return;
    }
    const sessionId = submitted.record.session_id;
    if (submitted.skippedTaskCount > 0) {
      say(io, start.json, `${count(submitted.skippedTaskCount, 'call')} already completed in earlier sessions (same inputs and seed): left out.`);
    }
    for (const webhook of submitted.webhooks) {
      // Shown once: the receiver needs it to verify signatures, and it is never printed again.
      if (webhook.generatedSecret !== undefined) say(io, start.json, `Webhook ${webhook.url} signs with ${webhook.generatedSecret} (shown once; keep it to verify the webhook-signature header).`);
    }
    say(io, start.json, `Session ${sessionId} started (${count(submitted.callCount, 'call')}); Ctrl-C stops it, "imagefleet resume ${sessionId}" continues it.`);
    await finishRun(fleet, submitted.record, submitted.jobId, io, start.json);
  } finally {
    await fleet.stop();
  }
}

/** Everything that can be checked without the store: a bad input writes nothing. */
export async function checkSessionInputs(inputs: SessionInputs, cwd: string): Promise<void> {
  const { combos, prompts } = inputs;
  const layoutText = sessionLayout(inputs);
  const layout = parsePathTemplate(layoutText, '--layout');
  const unknown = unknownTemplateNames(layout, availableLayoutNames(combos, prompts));
  if (unknown.length > 0) {
    const available = [...availableLayoutNames(combos, prompts)].map((name) => `{${name}}`).join(', ');
    throw usage(`The --layout template "${layoutText}" uses ${unknown.map((name) => `{${name}}`).join(', ')}, which not every image has; use only ${available}.`);
  }
  await checkReferences(combos.flatMap((combo) => combo.references), cwd);
}

/** Plans the session on `fleet` (a dry run: nothing is stored) and picks its id. */
export async function prepareSession(fleet: Fleet, inputs: SessionInputs): Promise<PreparedSession> {
  const { options, combos, prompts } = inputs;
  const model = options.model ?? defaultModel(fleet, options.provider);
  if (!fleet.providers.has(options.provider)) defaultModel(fleet, options.provider);
  const dependencies = sessionOperationDependencies(fleet);
  const sessionId = await freshCliSessionId(dependencies);
  const preview = await planCliSession({ sessionId, spec: sessionSpec(options, model, inputs) }, dependencies).catch((error: unknown) => {
    throw explainSpecError(error, combos, prompts);
  });
  return {
    sessionId,
    model,
    inputs,
    costUsd: preview.plan.estimate.costUsdByLane[options.lane] ?? 0,
    preview: {
      shape: `${count(combos.length, 'combo')} × ${count(prompts.length, 'prompt')} × ${count(options.count, 'image')}`,
      provider: options.provider,
      model: preview.spec.model,
      size: options.size,
      aspect: options.aspect,
      lane: options.lane,
      estimate: preview.plan.estimate,
      warnings: preview.plan.warnings,
      out: options.out,
      layout: sessionLayout(inputs),
    },
  };
}

/**
 * Imports the references, writes the session record and creates the job (calls that completed in
 * earlier sessions are left out). The session is not run: the caller runs it.
 */
export async function submitSession(fleet: Fleet, prepared: PreparedSession, cwd: string): Promise<SubmittedSession> {
  const { sessionId, inputs, model } = prepared;
  const { options, combos, prompts } = inputs;
  const started = await startCliSession(
    { sessionId, spec: sessionSpec(options, model, inputs), record: { cwd, out: options.out, layout: sessionLayout(inputs), config: inputs.config } },
    sessionOperationDependencies(fleet),
  ).catch((error: unknown) => {
    throw explainSpecError(error, combos, prompts);
  });
  if (started.status === 'nothing_to_do') return started;
  return { status: 'submitted', record: started.record, jobId: started.job.id, callCount: started.callCount, skippedTaskCount: started.skippedTaskCount, webhooks: started.webhooks };
}

/** Runs a submitted session to its end and reports; a non-zero exit code ends the command. */
export async function finishRun(fleet: Fleet, record: SessionRecord, jobId: string, io: CliIo, json: boolean): Promise<void> {
  const job = await getJob({ jobId }, fleet).catch(relabelNotFound(`The job of session ${record.session_id} no longer exists.`));
  let outcome;
  try {
    outcome = await runSession({ fleet, record, job, io, json });
  } finally {
    await waitForJobWebhooks(fleet, jobId, io, json);
  }
  if (json) io.stdout.write(`${JSON.stringify(outcomeJson(record, jobId, outcome), null, 2)}\n`);
  else io.stdout.write(`${describeOutcome(record.session_id, outcome).join('\n')}\n`);
  if (outcome.exitCode !== exitCodes.success) throw new CliExit(outcome.exitCode);
}

/** The session's output layout: `--layout` as given, or one folder per captured variable in pattern order. */
export function sessionLayout(inputs: SessionInputs): string {
  const { options, combos, prompts } = inputs;
  return options.layout ?? defaultLayoutFor(options.refs, options.prompts, availableLayoutNames(combos, prompts));
}

/** Names a layout may use: the built-ins and every variable each combo or each prompt has. */
export function availableLayoutNames(combos: readonly ResolvedCombo[], prompts: readonly ResolvedPrompt[]): Set<string> {
  const names = new Set<string>(layoutBuiltinNames);
  for (const name of commonKeys(combos.map(comboVariables))) names.add(name);
  for (const name of commonKeys(prompts.map(promptVariables))) names.add(name);
  return names;
}

function commonKeys(records: readonly Record<string, string>[]): string[] {
  const [first, ...rest] = records;
  if (!first) return [];
  return Object.keys(first).filter((key) => rest.every((record) => Object.hasOwn(record, key)));
}

function comboVariables(combo: ResolvedCombo): Record<string, string> {
  return { ...combo.variables, ...(combo.relative === '' ? {} : { combo_path: combo.relative }), combo_description: combo.description };
}

function promptVariables(prompt: ResolvedPrompt): Record<string, string> {
  return { ...prompt.variables, ...(prompt.relative === undefined ? {} : { prompt_file: prompt.relative }) };
}

function sessionSpec(options: GenerationOptions, model: string, start: SessionInputs): CliSessionSpec {
  return {
    provider: options.provider,
    model,
    settings: { size: options.size, aspectRatio: options.aspect },
    lane: options.lane,
    priority: 'normal',
    batchSize: 1,
    countPerPair: options.count,
    ...(options.budgetUsd === undefined ? {} : { budgetUsd: options.budgetUsd }),
    ...(options.webhooks.length === 0 ? {} : { webhooks: options.webhooks.map((url) => ({ url })) }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(start.promptTemplate === undefined ? {} : { promptTemplate: start.promptTemplate }),
    combos: start.combos.map((combo) => ({ id: combo.id, referenceFiles: combo.references, variables: comboVariables(combo) })),
    prompts: start.prompts.map((prompt) => ({ id: prompt.id, text: prompt.text, variables: promptVariables(prompt) })),
  };
}

function defaultModel(fleet: Fleet, providerId: string): string {
  let models;
  try {
    models = fleet.providers.get(providerId).models();
  } catch (error) {
    if (isImagefleetError(error)) throw usage(`--provider: ${error.message} Providers that need a key (such as gemini) are available once it is set (GEMINI_API_KEY; see docs/configuration.md).`);
    throw error;
  }
  const first = models[0];
  if (!first) throw usage(`The provider "${providerId}" offers no model right now; check its configuration (docs/providers.md).`);
  return first.modelId;
}

/** Re-labels the planner's field paths (`combos.3…`, `settings.size`) as the files and flags the user knows. */
export function explainSpecError(error: unknown, combos: readonly ResolvedCombo[], prompts: readonly ResolvedPrompt[]): unknown {
  if (!isImagefleetError(error) || error.code !== 'invalid_input' || error.issues.length === 0) return error;
  const label = (issuePath: string): string => {
    const combo = /^combos\.(\d+)/.exec(issuePath);
    if (combo) {
      const found = combos[Number(combo[1])];
      return found ? `combo ${found.relative || found.id}` : issuePath;
    }
    const prompt = /^prompts\.(\d+)/.exec(issuePath);
    if (prompt) {
      const found = prompts[Number(prompt[1])];
      return found ? `prompt ${found.relative ?? 'given with --prompt'}` : issuePath;
    }
    const flags: Record<string, string> = {
      'settings.size': '--size',
      'settings.aspectRatio': '--aspect',
      lane: '--lane',
      promptTemplate: '--prompt-template',
      countPerPair: '--count',
      budgetUsd: '--budget',
      seed: '--seed',
      model: '--model',
      provider: '--provider',
    };
    if (/^webhooks\.\d+/.test(issuePath)) return '--webhook';
    return flags[issuePath] ?? (issuePath === '' ? 'plan' : issuePath);
  };
  const parts = error.issues.map((issue) => `${label(issue.path)}: ${issue.message}`);
  return new ImagefleetError('invalid_input', `Cannot run this plan: ${parts.join('; ')}.`, { issues: error.issues, cause: error });
}

function say(io: CliIo, json: boolean, text: string): void {
  (json ? io.stderr : io.stdout).write(`${text}\n`);
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-US')} ${noun}${value === 1 ? '' : 's'}`;
}
