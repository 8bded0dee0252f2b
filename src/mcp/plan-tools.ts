/**
 * `plan` and `start_session`: the CLI's `run --dry-run` and `run`, with the same inputs (the plan
 * file's keys, which are the flags' names), the same resolution of patterns into combos × prompts,
 * the same plan and estimate and the same session. `start_session` returns as soon as the session
 * is submitted; it then runs in this server (see session-runs.ts).
 */
import path from 'node:path';
import { z } from 'zod';
import { echoOptions } from '../cli/run-command.js';
import { singleCombo } from '../cli/single-command.js';
import { planFileSchema, resolveGenerationOptions } from '../cli/session/generation-options.js';
import type { LimitOverrides } from '../cli/session/open-cli-fleet.js';
import { planSummaryJson, planSummaryLines } from '../cli/session/plan-summary.js';
import { readPromptTemplate, resolveCombos, resolvePrompts } from '../cli/session/resolve-inputs.js';
import { checkSessionInputs, prepareSession, submitSession, type SessionInputs } from '../cli/session/start-session.js';
import { invalidInput } from '../core/errors.js';
import { sessionLogFileName, sessionLogFolder } from '../core/session-log.js';
import { openMcpFleet, type McpContext } from './mcp-context.js';
import { baseDirectory, checkCostCap, maxCostArgument } from './tool-arguments.js';
import { defineTool, type McpTool } from './tool-registry.js';

const planArguments = planFileSchema.extend({
  references: z
    .array(z.string().min(1))
    .min(1)
    .max(1000)
    .optional()
    .describe("Reference image files or folders used together as ONE combo (the CLI's single --ref), instead of refs patterns."),
  cwd: z.string().optional().describe('Folder the patterns and relative paths are relative to (default: the folder the MCP server was started in).'),
});

const startArguments = planArguments.extend({ max_cost_usd: maxCostArgument });

/** Resolves the arguments into session inputs as `imagefleet run` does, checking everything that needs no store. */
async function resolveSessionInputs(context: McpContext, args: z.output<typeof planArguments>, capUsd?: number): Promise<{ inputs: SessionInputs; cwd: string }> {
  const { cwd: cwdArgument, references, ...plan } = args;
  if (references !== undefined && plan.refs !== undefined) {
    throw invalidInput([{ path: 'references', message: 'give either references (one combo of these images) or refs (a pattern of combos), not both' }], 'Invalid arguments');
  }
  const cwd = baseDirectory(context.cli.cwd, cwdArgument);
  const resolved = resolveGenerationOptions({}, plan, { cwd, planDir: cwd });
  // The agreed cap also becomes the session's budget, so the engine stops claiming at it even when
  // retries or price changes would carry the spend past the estimate.
  const options = capUsd === undefined || capUsd <= 0 || (resolved.budgetUsd !== undefined && resolved.budgetUsd <= capUsd) ? resolved : { ...resolved, budgetUsd: capUsd };
  const combos = references === undefined ? await resolveCombos(options.refs, cwd) : await singleCombo(references, cwd);
  const prompts = await resolvePrompts(options.prompts, options.prompt, cwd);
  const promptTemplate = options.promptTemplate === undefined ? undefined : await readPromptTemplate(options.promptTemplate, cwd);
  const inputs: SessionInputs = { command: 'run', options, combos, prompts, promptTemplate, config: { command: 'run', via: 'mcp', ...(references === undefined ? {} : { refs_given: references }), ...echoOptions(options, cwd) } };
  await checkSessionInputs(inputs, cwd);
  return { inputs, cwd };
}

function limitsOf(inputs: SessionInputs): LimitOverrides {
  const { options } = inputs;
  return { provider: options.provider, concurrency: options.concurrency, rpm: options.rpm, cooldownMs: options.cooldownMs };
}

export function planTools(context: McpContext): McpTool[] {
  const plan = defineTool({
    name: 'plan',
    title: 'Plan a batch (dry run)',
    description:
      'What a batch would generate, cost and take, without generating anything (the CLI\'s "run --dry-run"). Every reference combo (refs, or references as one combo) × every prompt file (prompts or prompt) × count. ' +
      'Patterns: {name} captures part of a folder or file name as a variable, * matches anything, a trailing / matches folders. Errors name arguments as CLI flags (--count = count). Call this before start_session and show the user the cost.',
    input: planArguments,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      const { inputs } = await resolveSessionInputs(context, args);
      const fleet = await openMcpFleet(context, limitsOf(inputs));
      try {
        const prepared = await prepareSession(fleet, inputs);
        return {
          summary: `${planSummaryLines(prepared.preview).join('\n')}\nDry run: nothing was generated.`,
          structured: { dry_run: true, cost_usd: prepared.costUsd, ...planSummaryJson(prepared.preview) },
        };
      } finally {
        await fleet.stop();
      }
    },
  });

  const startSession = defineTool({
    name: 'start_session',
    title: 'Start a batch session',
    description:
      'Starts a session (the CLI\'s "run"): the same arguments as plan, plus max_cost_usd, the cost the user agreed to (refused with budget_exceeded when the estimate is higher). ' +
      'Returns at once with the session id while the session runs inside this MCP server; follow it with wait_for_session or get_status, then list_failures, list_results and get_image. ' +
      'Calls that completed in earlier sessions with the same inputs and seed are not generated again.',
    input: startArguments,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args) {
      const { max_cost_usd: capUsd, ...planArgs } = args;
      const { inputs, cwd } = await resolveSessionInputs(context, planArgs, capUsd);
      const fleet = await openMcpFleet(context, limitsOf(inputs));
      let handedOver = false;
      try {
        const prepared = await prepareSession(fleet, inputs);
        checkCostCap(prepared.costUsd, capUsd, 'This session');
        const submitted = await submitSession(fleet, prepared, cwd);
        if (submitted.status === 'nothing_to_do') {
          return {
            summary: `Nothing to do: all ${submitted.skippedTaskCount} calls of this plan already completed in earlier sessions (same inputs and seed). Use another seed for new images.`,
            structured: { session_id: null, status: 'nothing_to_do', skipped_calls: submitted.skippedTaskCount },
          };
        }
        context.runs.start(fleet, submitted.record, submitted.jobId);
        handedOver = true;
        const sessionId = submitted.record.session_id;
        return {
          summary: `Session ${sessionId} started (${submitted.callCount} calls); it runs in this MCP server. Follow it with wait_for_session or get_status.`,
          structured: {
            session_id: sessionId,
            job_id: submitted.jobId,
            status: 'running',
            calls: submitted.callCount,
            skipped_calls: submitted.skippedTaskCount,
            estimated_cost_usd: prepared.costUsd,
            plan: planSummaryJson(prepared.preview),
            out: submitted.record.out,
            log: path.join(submitted.record.out, sessionLogFolder, sessionLogFileName(sessionId)),
            // A secret generated for a webhook is returned this once: the receiver needs it to verify signatures.
            webhooks: submitted.webhooks.map((webhook) => ({ url: webhook.url, generated_secret: webhook.generatedSecret ?? null })),
          },
        };
      } finally {
        if (!handedOver) await fleet.stop();
      }
    },
  });

  return [plan, startSession];
}
