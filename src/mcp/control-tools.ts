/**
 * Acting on a session: `resume_session`, `retry_session`, `upgrade_session` (each spends money, so
 * each requires max_cost_usd and checks its estimate against it first) and `cancel_session`. They
 * call the CLI's own use cases and, like `start_session`, return once the session runs in this
 * server.
 */
import { z } from 'zod';
import { cancelSession } from '../cli/session/cancel-session.js';
import type { OpenedSession } from '../cli/session/open-session.js';
import { planSummaryJson, planSummaryLines } from '../cli/session/plan-summary.js';
import { assertNotCanceled, retryCalls } from '../cli/session/retry-calls.js';
import { sessionOperationDependencies } from '../cli/session/session-operation-wiring.js';
import { estimateCliSessionRetry } from '../operations/retry-cli-session.js';
import { prepareUpgrade, submitUpgrade } from '../cli/session/upgrade-session.js';
import { invalidInput } from '../core/errors.js';
import { imageSizes } from '../core/image-size.js';
import type { JobStatusReport } from '../engine/job-status.js';
import { withSession, type McpContext } from './mcp-context.js';
import { checkCostCap, maxCostArgument, sessionArgument } from './tool-arguments.js';
import { defineTool, type McpTool, type ToolAnswer } from './tool-registry.js';

/** The job's estimated price of one image, USD (its estimate spread over its images). */
function pricePerImageUsd(report: JobStatusReport): number {
  return report.counts.total === 0 ? 0 : report.cost.estimatedUsd / report.counts.total;
}

/** Starts the session's run here, unless it already runs here (then the run picks the work up). */
function runHere(context: McpContext, session: OpenedSession): boolean {
  if (context.runs.isRunning(session.record.session_id)) return false;
  context.runs.start(session.fleet, session.record, session.job.id);
  return true;
}

export function controlTools(context: McpContext): McpTool[] {
  const resume = defineTool({
    name: 'resume_session',
    title: 'Resume a session',
    description:
      'Continues a session that stopped (the MCP server or a CLI run ended, a crash, a provider pause): its remaining calls run in this server. Completed images are never generated again. ' +
      'max_cost_usd must cover the estimate of the remaining calls.',
    input: z.strictObject({ session: sessionArgument, max_cost_usd: maxCostArgument }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run(args) {
      return withSession<ToolAnswer>(context, args.session, async (session) => {
        const { fleet, record, job } = session;
        assertNotCanceled(record, job, 'resumed');
        const report = await fleet.jobStatus(job.id);
        const remainingUsd = (report.counts.pending + report.counts.running) * pricePerImageUsd(report);
        checkCostCap(remainingUsd, args.max_cost_usd, `The rest of session ${record.session_id}`);
        const started = runHere(context, session);
        return {
          handedOver: started,
          value: {
            summary: started ? `Resuming session ${record.session_id} (${job.status}); follow it with wait_for_session.` : `Session ${record.session_id} is already running in this server.`,
            structured: { session_id: record.session_id, status: job.status, running_here: true, remaining_images: report.counts.pending + report.counts.running, estimated_cost_usd: remainingUsd },
          },
        };
      });
    },
  });

  const retry = defineTool({
    name: 'retry_session',
    title: 'Retry failed calls',
    description:
      'Runs failed calls of a session again with fresh attempts: every failed call, or exactly the ones named in call_ids (ids as list_failures and the session log show them, e.g. "0007"; blocked ones too when named). ' +
      'max_cost_usd must cover the estimate of the retried calls. Read list_failures first: an invalid request or a blocked prompt fails again unless something changed.',
    input: z.strictObject({
      session: sessionArgument,
      call_ids: z.array(z.string().min(1)).max(10_000).default([]).describe('Calls to retry by their session log id, e.g. ["0007", "0012"]; empty = every failed call.'),
      max_cost_usd: maxCostArgument,
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args) {
      return withSession<ToolAnswer>(context, args.session, async (session) => {
        const { fleet, record, job } = session;
        const { estimateUsd, report } = await estimateCliSessionRetry({ session: record, job, callIds: args.call_ids }, sessionOperationDependencies(fleet));
        checkCostCap(estimateUsd, args.max_cost_usd, `Retrying calls of session ${record.session_id}`);
        const retried = await retryCalls(fleet, record, job, args.call_ids);
        if (retried === 0) {
          const blocked = report.counts.blocked > 0 ? ` ${report.counts.blocked} blocked by the safety filter are retried only when named in call_ids.` : '';
          return { value: { summary: `Nothing to retry in session ${record.session_id}: no failed calls.${blocked}`, structured: { session_id: record.session_id, retried_calls: 0, status: job.status } } };
        }
        const started = runHere(context, session);
        return {
          handedOver: started,
          value: {
            summary: `Retrying ${retried} call(s) of session ${record.session_id}; follow it with wait_for_session.`,
            structured: { session_id: record.session_id, retried_calls: retried, estimated_cost_usd: estimateUsd, running_here: true },
          },
        };
      });
    },
  });

  const upgrade = defineTool({
    name: 'upgrade_session',
    title: 'Upgrade a session to a larger size',
    description:
      'Makes every completed image of a session again at a larger size (same prompt, references and seed) as a new session whose files land beside the old ones. ' +
      'dry_run: true answers with the plan and its cost only. Otherwise max_cost_usd must cover the estimate; returns the new session id at once.',
    input: z.strictObject({
      session: sessionArgument,
      to: z.enum(imageSizes, { error: `must be one of ${imageSizes.join(', ')}` }).describe(`The new size: ${imageSizes.join(', ')} (larger than the session's).`),
      dry_run: z.boolean().default(false).describe('Only plan and estimate; generate nothing.'),
      max_cost_usd: maxCostArgument.optional().describe('Required unless dry_run: the cost cap in US dollars agreed with the user.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args) {
      return withSession<ToolAnswer>(context, args.session, async ({ fleet, record, job }) => {
        const prepared = await prepareUpgrade(fleet, record, job, args.to);
        const plan = planSummaryJson(prepared.preview);
        if (args.dry_run) {
          return { value: { summary: `${planSummaryLines(prepared.preview).join('\n')}\nDry run: nothing was generated.`, structured: { dry_run: true, cost_usd: prepared.costUsd, ...plan } } };
        }
        if (args.max_cost_usd === undefined) {
          throw invalidInput([{ path: 'max_cost_usd', message: `is required unless dry_run is true; this upgrade is estimated at ${prepared.costUsd} USD` }], 'Invalid arguments for upgrade_session');
        }
        checkCostCap(prepared.costUsd, args.max_cost_usd, `Upgrading session ${record.session_id} to ${args.to}`);
        if (prepared.callCount === 0) {
          const why = prepared.skippedTaskCount > 0 ? `every completed image of ${record.session_id} already exists at ${args.to}` : `session ${record.session_id} has no completed images yet`;
          return { value: { summary: `Nothing to upgrade: ${why}.`, structured: { session_id: null, status: 'nothing_to_do' } } };
        }
        const created = await submitUpgrade(fleet, prepared, context.cli.cwd);
        context.runs.start(fleet, created.record, created.jobId);
        const sessionId = created.record.session_id;
        return {
          handedOver: true,
          value: {
            summary: `Session ${sessionId} upgrades ${record.session_id} to ${args.to} (${created.callCount} calls); follow it with wait_for_session.`,
            structured: { session_id: sessionId, upgrade_of: record.session_id, status: 'running', calls: created.callCount, estimated_cost_usd: prepared.costUsd, plan },
          },
        };
      });
    },
  });

  const cancel = defineTool({
    name: 'cancel_session',
    title: 'Cancel a session',
    description: 'Stops a session for good: calls not started are dropped, calls in flight are aborted; completed images stay in the output folder. A canceled session cannot be resumed.',
    input: z.strictObject({ session: sessionArgument }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run(args) {
      return withSession<ToolAnswer>(context, args.session, async ({ fleet, record, job }) => {
        const canceled = await cancelSession(context.runs.runningFleet(record.session_id) ?? fleet, record, job);
        return {
          value: {
            summary: `Canceled session ${record.session_id}: ${canceled.summary.completed} of ${canceled.summary.total} images were done and are kept in ${record.out}.`,
            structured: { session_id: record.session_id, status: canceled.status, summary: canceled.summary, out: record.out, log: canceled.logPath },
          },
        };
      });
    },
  });

  return [resume, retry, upgrade, cancel];
}
