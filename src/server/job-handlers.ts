/**
 * Job routes: submit (with dry run), status, results, and pause / resume / cancel / retry-failed.
 * Plain `(request, context) => Response` handlers; the route files in src/app/api delegate here.
 */
import { cancelJob } from '../operations/cancel-job.js';
import { jobStatus } from '../operations/job-status.js';
import { listJobResults } from '../operations/list-job-results.js';
import { listJobs } from '../operations/list-jobs.js';
import { pauseJob } from '../operations/pause-job.js';
import { resumeJob } from '../operations/resume-job.js';
import { retryFailedTasks } from '../operations/retry-failed-tasks.js';
import { apiRoute } from './api-route.js';
import { decodeCursor, encodeCursor, nextCursorOf } from './keyset-cursor.js';
import { submitApiJob, parseSubmitBody } from './job-submission.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema } from './schemas/common.js';
import { jobListQuerySchema, pauseBodySchema, resultsQuerySchema, submitQuerySchema } from './schemas/jobs.js';
import { jobControlBody, jobListItem, jobStatusBody, planSummary, resultItems } from './wire-format.js';
import { z } from 'zod';

/** `POST /api/jobs/submit[?dryRun=1]`. */
export const handleSubmitJob = apiRoute(
  async ({ request, url, fleet }) => {
    const { dryRun = false } = readQuery(url, submitQuerySchema);
    const body = parseSubmitBody(await readJsonBody(request, z.unknown()));
    const submission = await submitApiJob(fleet, body, { dryRun });
    const plan = planSummary(submission.plan, submission.lane);
    if (!submission.job) return Response.json({ dryRun: true, groupId: submission.groupId ?? null, plan });
    const { job } = submission;
    return Response.json(
      {
        id: job.id,
        groupId: job.groupId,
        status: job.status,
        plan,
        webhooks: submission.webhooks.map((webhook) => ({ id: webhook.id, url: webhook.url, events: webhook.eventTypes, secret: webhook.generatedSecret ?? null })),
      },
      { status: 201, headers: { location: `/api/jobs/${encodeURIComponent(job.id)}/status` } },
    );
  },
  { name: 'POST /api/jobs/submit' },
);

/** Default page of the job list. */
const defaultJobListLimit = 50;

/** `GET /api/jobs`: jobs newest first, optionally of one group, mode or statuses. */
export const handleListJobs = apiRoute(
  async ({ url, fleet }) => {
    const query = readQuery(url, jobListQuerySchema);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const limit = query.limit ?? defaultJobListLimit;
    const { entries, hasMore } = await listJobs({ groupId: query.groupId, mode: query.mode, statuses: query.status, before, limit }, fleet);
    const last = entries.at(-1);
    return Response.json({
      items: entries.map(jobListItem),
      nextCursor: hasMore && last ? encodeCursor({ createdAtMs: last.job.createdAtMs, id: last.job.id }) : null,
    });
  },
  { name: 'GET /api/jobs' },
);

/** `GET /api/jobs/{id}/status`. */
export const handleJobStatus = apiRoute<{ id: string }>(
  async ({ params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    return Response.json(jobStatusBody(await jobStatus({ jobId: id }, fleet)));
  },
  { name: 'GET /api/jobs/{id}/status' },
);

/** Default and largest page of results. */
const defaultResultsLimit = 50;

/** `GET /api/jobs/{id}/results`. */
export const handleJobResults = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const query = readQuery(url, resultsQuerySchema);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const limit = query.limit ?? defaultResultsLimit;
    const page = await listJobResults(
      { jobId: id, promptContains: query.prompt, sourceContains: query.source, promptId: query.promptId, favorite: query.favorite, status: query.status, after, limit },
      fleet,
    );
    return Response.json({ items: resultItems(page.images), nextCursor: nextCursorOf(page.images, page.hasMore), total: page.total });
  },
  { name: 'GET /api/jobs/{id}/results' },
);

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry-failed';

/** `POST /api/jobs/{id}/pause|resume|cancel|retry-failed`. */
export function jobActionHandler(action: JobAction) {
  return apiRoute<{ id: string }>(
    async ({ request, params, fleet }) => {
      const { id } = readParams(params, idParamsSchema);
      switch (action) {
        case 'pause': {
          const { reason } = await readJsonBody(request, pauseBodySchema, { optional: true });
          return Response.json(jobControlBody(await pauseJob({ jobId: id, reason }, fleet)));
        }
        case 'resume':
          await readJsonBody(request, z.strictObject({}), { optional: true });
          return Response.json(jobControlBody(await resumeJob({ jobId: id }, fleet)));
        case 'cancel':
          await readJsonBody(request, z.strictObject({}), { optional: true });
          return Response.json(jobControlBody(await cancelJob({ jobId: id }, fleet)));
        case 'retry-failed': {
          await readJsonBody(request, z.strictObject({}), { optional: true });
          const { job, retried } = await retryFailedTasks({ jobId: id }, fleet);
          return Response.json(jobControlBody(job, retried));
        }
      }
    },
    { name: `POST /api/jobs/{id}/${action}` },
  );
}
