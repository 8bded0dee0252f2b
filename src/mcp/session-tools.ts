/**
 * Reading sessions: `list_sessions`, `get_status` (the CLI's `status --json`, plus this server's
 * run of it), `wait_for_session` (a bounded wait, so one call never outlives a client's request
 * timeout) and `list_failures` (each failed or blocked call with its reason, as the session log
 * has them).
 */
import path from 'node:path';
import { z } from 'zod';
import type { OpenedSession } from '../cli/session/open-session.js';
import { listSessionRecords } from '../cli/session/session-records.js';
import type { JobStatus } from '../core/job.js';
import { formatSessionJobId, sessionJobStatus, sessionLogFileName, sessionLogFolder } from '../core/session-log.js';
import { listCliSessionFailures } from '../operations/list-cli-session-calls.js';
import { listCliSessions } from '../operations/list-cli-sessions.js';
import { sessionOperationDependencies } from '../cli/session/session-operation-wiring.js';
import { mcpSessionRecordsLocation, openMcpFleet, withSession, type McpContext } from './mcp-context.js';
import { sessionArgument } from './tool-arguments.js';
import { defineTool, type McpTool } from './tool-registry.js';

/** Longest `wait_for_session` wait, s: below the 60 s request timeout most MCP clients use. */
export const maxWaitSeconds = 50;
/** How often a session running in another process is looked at while waiting, ms. */
const pollEveryMs = 1_000;
/** A session not running here with no call running or finishing for this long is not waited for, ms. */
const idleGiveUpMs = 3_000;

function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'canceled';
}

/** The status of a session as `get_status` reports it. */
async function sessionStatus(context: McpContext, session: OpenedSession): Promise<Record<string, unknown>> {
  const { fleet, record, job } = session;
  const report = await fleet.jobStatus(job.id);
  const run = context.runs.view(record.session_id);
  const next: string[] = [];
  const status = report.job.status;
  if (!isTerminal(status) && run?.running !== true) next.push('The session is not running in this server: resume_session continues it (if no other process runs it).');
  if (report.counts.failed > 0) next.push('list_failures shows why calls failed; retry_session runs them again.');
  if (report.counts.blocked > 0) next.push('Blocked calls were refused by the safety filter; retry_session retries them only when named in call_ids (change the prompt instead).');
  if (report.counts.completed > 0) next.push('list_results and get_image show the images; upgrade_session makes them again at a larger size.');
  return {
    session_id: record.session_id,
    job_id: job.id,
    created: record.created,
    status,
    status_reason: report.job.statusReason ?? null,
    running_here: run?.running === true,
    counts: report.counts,
    progress: report.progress,
    rate_per_minute: report.ratePerMinute,
    eta_seconds: report.etaSeconds ?? null,
    cost_usd: { estimated: report.cost.estimatedUsd, spent: report.cost.spentUsd },
    errors: report.errors,
    provider: job.provider,
    model: job.model,
    size: job.settings.size,
    out: record.out,
    log: path.join(record.out, sessionLogFolder, sessionLogFileName(record.session_id)),
    parent_session: record.parent_session,
    config: record.config,
    run: run ?? null,
    next,
  };
}

export function sessionTools(context: McpContext): McpTool[] {
  const listSessions = defineTool({
    name: 'list_sessions',
    title: 'List sessions',
    description: 'The sessions of the data directory, newest first, with their status and where their files are.',
    input: z.strictObject({
      limit: z.number().int().min(1).max(200).default(20).describe('How many sessions (default 20).'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      const records = (await listSessionRecords(mcpSessionRecordsLocation(context))).slice(0, args.limit);
      const fleet = await openMcpFleet(context);
      try {
        const listed = await listCliSessions({ records, findByName: false, withCounts: false }, sessionOperationDependencies(fleet));
        const sessions = listed.map(({ record, job }) => ({
          session_id: record.session_id,
          created: record.created,
          status: job?.status ?? 'never_submitted',
          running_here: context.runs.isRunning(record.session_id),
          provider: job?.provider ?? null,
          size: job?.settings.size ?? null,
          out: record.out,
          parent_session: record.parent_session,
        }));
        return { structured: { sessions } };
      } finally {
        await fleet.stop();
      }
    },
  });

  const getStatus = defineTool({
    name: 'get_status',
    title: 'Session status',
    description: "Where a session stands (the CLI's \"status --json\"): counts of images by state, progress, rate, ETA, cost spent and estimated, current error reasons, the output folder and session log, this server's run of it (recent progress lines) and what to do next.",
    input: z.strictObject({ session: sessionArgument }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      return { structured: await withSession(context, args.session, async (session) => ({ value: await sessionStatus(context, session) })) };
    },
  });

  const waitForSession = defineTool({
    name: 'wait_for_session',
    title: 'Wait for a session',
    description: `Waits until the session ends or timeout_seconds pass (at most ${maxWaitSeconds}), then answers as get_status with timed_out. Call it again while timed_out is true. A session that runs nowhere (stopped, paused) is not waited for: get_status's next says to resume it.`,
    input: z.strictObject({
      session: sessionArgument,
      timeout_seconds: z.number().min(0).max(maxWaitSeconds).default(30).describe(`Longest wait in seconds, 0–${maxWaitSeconds} (default 30).`),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      const deadlineMs = Date.now() + args.timeout_seconds * 1000;
      return {
        structured: await withSession(context, args.session, async (session) => {
          const sessionId = session.record.session_id;
          if (context.runs.isRunning(sessionId)) await context.runs.wait(sessionId, Math.max(0, deadlineMs - Date.now()));
          // Not running here: another process may run it; watch the store, and stop watching once
          // nothing has run for a while (then probably nobody runs it, and get_status says resume).
          let idleSinceMs: number | undefined;
          let lastFinished = -1;
          for (;;) {
            if (context.runs.view(sessionId) !== undefined && !context.runs.isRunning(sessionId)) break;
            const report = await session.fleet.jobStatus(session.job.id);
            if (isTerminal(report.job.status) || Date.now() >= deadlineMs) break;
            const finished = report.counts.completed + report.counts.failed + report.counts.blocked;
            if (report.counts.running > 0 || finished !== lastFinished) idleSinceMs = undefined;
            else idleSinceMs ??= Date.now();
            lastFinished = finished;
            if (idleSinceMs !== undefined && Date.now() - idleSinceMs >= idleGiveUpMs) break;
            await new Promise((resolve) => setTimeout(resolve, Math.min(pollEveryMs, Math.max(0, deadlineMs - Date.now()))));
          }
          const status = await sessionStatus(context, session);
          const timedOut = !isTerminal(status.status as JobStatus) && Date.now() >= deadlineMs;
          return { value: { timed_out: timedOut, ...status } };
        }),
      };
    },
  });

  const listFailures = defineTool({
    name: 'list_failures',
    title: 'List failed calls',
    description:
      'The calls of a session that failed, were blocked by the safety filter or wait to be retried, each with its id (as in the session log, e.g. 0007), prompt, combo, attempts, error code and the reason the provider or engine gave; plus the reasons grouped by frequency. ' +
      'retry_session retries the failed ones (blocked ones only when named in call_ids).',
    input: z.strictObject({
      session: sessionArgument,
      limit: z.number().int().min(1).max(500).default(50).describe('Calls per page (default 50).'),
      offset: z.number().int().min(0).default(0).describe('Calls to skip (from next_offset of the previous page).'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      return {
        structured: await withSession(context, args.session, async ({ fleet, record, job }) => {
          const listed = await listCliSessionFailures({ jobId: job.id, limit: args.limit, offset: args.offset }, sessionOperationDependencies(fleet));
          return {
            value: {
              session_id: record.session_id,
              total: listed.total,
              reasons: listed.reasons,
              failures: listed.failures.map((task) => ({
                id: formatSessionJobId(task.ordinal, listed.callIdWidth),
                status: sessionJobStatus(task),
                error_code: task.lastErrorCode ?? null,
                error: task.lastErrorMessage ?? null,
                attempts: task.attempts,
                prompt_id: task.variables.prompt_id ?? task.promptId,
                prompt_file: task.variables.prompt_file ?? null,
                combo: task.variables.combo_path ?? task.variables.combo ?? null,
              })),
              next_offset: listed.nextOffset ?? null,
            },
          };
        }),
      };
    },
  });

  return [listSessions, getStatus, waitForSession, listFailures];
}
