/**
 * `POST /api/jobs/submit`: the API's job body (issue 5's contract, `core/job-submission.ts`)
 * translated into the job spec and submitted through the one submit operation. Errors about the
 * spec's fields (`items.0.prompts.0.count`) are re-labelled with the fields the client sent
 * (`items.0.count`).
 */
import { invalidInput } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { jobSpecFromSubmission, relabelSubmissionError } from '../core/job-submission.js';
import type { Plan } from '../core/plan.js';
import type { Fleet } from '../fleet/create-fleet.js';
import type { SubmitJobResult } from '../operations/submit-job.js';
import { validate } from './request-input.js';
import { submitAutomaticBodySchema, submitItemsBodySchema, type SubmitBody } from './schemas/jobs.js';

export interface ApiSubmission {
  /** The created job; undefined for a dry run. */
  job: Job | undefined;
  /** The group the job went (or would go) to; undefined when it does not exist yet. */
  groupId: string | undefined;
  plan: Plan;
  lane: Job['lane'];
  /** The job's own webhook endpoints, with generated secrets (shown once). */
  webhooks: SubmitJobResult['webhooks'];
}

/** Validates the body in the form it is written in (items or the automatic shorthand). */
export function parseSubmitBody(body: unknown): SubmitBody {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (isObject && (body as Record<string, unknown>).mode === 'automatic' && !('items' in body)) {
    return validate(submitAutomaticBodySchema, body, 'Invalid job');
  }
  return validate(submitItemsBodySchema, body, 'Invalid job');
}

/**
 * Translates and submits (or only plans, with `dryRun`). A `groupName` is resolved by the submit
 * operation: a new group is created in the job's own transaction, so the job is planned once and
 * a refused job leaves no empty group.
 */
export async function submitApiJob(fleet: Fleet, body: SubmitBody, options: { dryRun: boolean }): Promise<ApiSubmission> {
  if (body.groupId !== undefined && body.groupName !== undefined) {
    throw invalidInput([{ path: 'groupName', message: 'give groupId or groupName, not both' }], 'Invalid job');
  }
  const translation = jobSpecFromSubmission(body, defaultModelOf(fleet, body.provider));
  let result: SubmitJobResult;
  try {
    result = await fleet.submitJob(translation.spec, { dryRun: options.dryRun, ...(body.groupName !== undefined ? { groupName: body.groupName } : {}) });
  } catch (error) {
    throw relabelSubmissionError(error, translation.submissionPath);
  }
  const lane = result.spec.lane;
  if (result.job) return { job: result.job, groupId: result.job.groupId, plan: result.plan, lane, webhooks: result.webhooks };
  return { job: undefined, groupId: result.groupId, plan: result.plan, lane, webhooks: [] };
}

function defaultModelOf(fleet: Fleet, providerId: string): string | undefined {
  if (!fleet.providers.has(providerId)) return undefined;
  return fleet.providers.get(providerId).models()[0]?.modelId;
}
