/**
 * The job routes' contract (issue 5): the submit body in its two forms (items, and the automatic
 * shorthand; defined in `core/job-submission.ts`), the plan summary, the status report and the results page. Other programs depend on
 * these shapes: extend them, never rename a field.
 */
import { z } from 'zod';
import { jobModes, jobStatuses, lanes } from '../../core/job.js';
import { flagSchema, idSchema, pageCursorQuerySchema, pageLimitQuerySchema, timestampSchema } from './common.js';
import { submittedWebhookSchema } from './webhooks.js';

// The submit body lives in core, built from the same pieces as the job spec (one definition of
// every field's bounds); re-exported here beside the other job routes' shapes.
export {
  maxItemReferences,
  maxSubmitItems,
  submitAutomaticBodySchema,
  submitBodySchema,
  submitItemsBodySchema,
  submitSettingsSchema,
  type SubmitAutomaticBody,
  type SubmitBody,
  type SubmitItemsBody,
} from '../../core/job-submission.js';

export const submitQuerySchema = z.strictObject({
  dryRun: flagSchema.optional().describe('1: plan and estimate only; nothing is created.'),
});

export const planSchema = z
  .object({
    tasks: z.number().int().describe('Provider calls.'),
    images: z.number().int().describe('Images the calls produce.'),
    estimate: z.object({
      costUsd: z.number().nullable().describe('Cost on the chosen lane, USD; null when not priced.'),
      costUsdByLane: z.record(z.string(), z.number()).describe('Cost on every lane the model offers, USD.'),
      durationSeconds: z.number().describe('Approximate time at the configured limits.'),
      assumptions: z.string().describe('What the estimate assumes, in words.'),
    }),
    warnings: z.array(z.string()).describe('Settings dropped or adjusted, said plainly.'),
    skippedTasks: z.number().int().describe('Tasks left out because the same call already completed.'),
  })
  .meta({ id: 'Plan' });

export const submitResponseSchema = z
  .object({
    id: idSchema.describe('The new job’s id.'),
    groupId: idSchema,
    status: z.enum(jobStatuses),
    plan: planSchema,
    webhooks: z.array(submittedWebhookSchema).describe('The job’s own webhook endpoints (not the server-wide one), with each generated secret shown this once.'),
  })
  .meta({ id: 'SubmittedJob' });

export const dryRunResponseSchema = z
  .object({
    dryRun: z.literal(true),
    groupId: idSchema.nullable().describe('The group the job would go to; null when it does not exist yet (Default, or a new groupName).'),
    plan: planSchema,
  })
  .meta({ id: 'DryRun' });

export const jobStatusSchema = z
  .object({
    id: idSchema,
    groupId: idSchema,
    name: z.string(),
    mode: z.string(),
    provider: z.string(),
    model: z.string(),
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable().describe('Why the job is paused or failed.'),
    counts: z
      .object({
        total: z.number().int(),
        pending: z.number().int(),
        running: z.number().int(),
        completed: z.number().int(),
        failed: z.number().int(),
        blocked: z.number().int(),
        canceled: z.number().int(),
      })
      .describe('Images (not tasks) by state.'),
    progress: z.number().describe('Finished images ÷ all images, 0..1.'),
    ratePerMinute: z.number().describe('Images completed per minute over the last five minutes (of its run, for a finished job: it no longer changes).'),
    etaSeconds: z.number().nullable().describe('Seconds until done at the current rate; null when unknown.'),
    cost: z.object({ estimatedUsd: z.number(), spentUsd: z.number() }),
    errors: z.array(z.object({ code: z.string(), message: z.string(), taskCount: z.number().int(), status: z.string() })).describe('Current error reasons, most frequent first.'),
    createdAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'JobStatus' });

export const resultsQuerySchema = z.strictObject({
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: 500, defaultValue: 50, what: 'Images' }),
  prompt: z.string().max(1000).optional().describe('Only images whose prompt contains this text (case-insensitive).'),
  promptId: z.string().max(500).optional().describe('Only images of this prompt id.'),
  source: z.string().max(255).optional().describe('Only images made from an uploaded reference whose file name contains this text (case-insensitive).'),
  status: z.enum(['kept', 'discarded', 'all'], { error: 'must be kept, discarded or all' }).optional().describe('kept (default), discarded, or all.'),
  favorite: flagSchema.optional().describe('1: only favourites; 0: only the others.'),
});

export const resultItemSchema = z
  .object({
    id: idSchema,
    url: z.string().describe('The image file (GET).'),
    thumbUrl: z.string().describe('Its WebP thumbnail (GET).'),
    prompt: z.string(),
    promptId: z.string(),
    seed: z.number().int().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    mimeType: z.string(),
    byteSize: z.number().int(),
    referenceIds: z.array(idSchema),
    referenceNames: z.array(z.string()).optional().describe('The uploaded file names of the references, in the order of referenceIds: which product photo an Automatic result was made from.'),
    favorite: z.boolean(),
    discarded: z.boolean(),
    jobId: idSchema,
    taskId: idSchema,
    index: z.number().int().describe('Position in its task’s output.'),
    createdAt: timestampSchema,
    provider: z.string().optional().describe('The provider that made it.'),
    model: z.string().optional().describe('The model that made it.'),
    costUsd: z.number().optional().describe('Its share of its call’s cost, USD; absent when the call reported none.'),
  })
  .meta({ id: 'ResultImage' });

export const resultsResponseSchema = z
  .object({
    items: z.array(resultItemSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
    total: z.number().int().nullable().describe('How many images match the filters, on the first page (no cursor); null on later pages.'),
  })
  .meta({ id: 'Results' });

export const jobControlResponseSchema = z
  .object({
    id: idSchema,
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable(),
    retriedTasks: z.number().int().optional().describe('retry-failed only: tasks queued again.'),
  })
  .meta({ id: 'JobControl' });

export const jobActionParamsSchema = z.strictObject({
  id: idSchema,
  action: z.enum(['pause', 'resume', 'cancel', 'retry-failed'], { error: 'must be pause, resume, cancel or retry-failed' }),
});

export const pauseBodySchema = z.strictObject({
  reason: z.string().max(500).optional().describe('pause only: why, shown with the job.'),
});

export const jobListQuerySchema = z.strictObject({
  groupId: idSchema.optional().describe('Only this group’s jobs.'),
  mode: z.enum(jobModes, { error: 'must be automatic, studio or cli' }).optional().describe('Only jobs made in this mode.'),
  status: z
    .string()
    .max(200)
    .transform((text, context) => {
      const statuses = text.split(',').map((part) => part.trim());
      const unknown = statuses.filter((status) => !(jobStatuses as readonly string[]).includes(status));
      if (unknown.length > 0) {
        context.addIssue({ code: 'custom', message: `must be job statuses separated by commas (${jobStatuses.join(', ')}); got ${unknown.map((status) => JSON.stringify(status)).join(', ')}` });
        return z.NEVER;
      }
      return statuses as Array<(typeof jobStatuses)[number]>;
    })
    .optional()
    .describe('Only jobs in these statuses, comma-separated, e.g. queued,processing.')
    .meta({ pattern: `^(${jobStatuses.join('|')})(,(${jobStatuses.join('|')}))*$` } as Record<string, unknown>),
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: 200, defaultValue: 50, what: 'Jobs' }),
});

export const jobListItemSchema = z
  .object({
    id: idSchema,
    groupId: idSchema,
    name: z.string(),
    mode: z.enum(jobModes),
    provider: z.string(),
    model: z.string(),
    lane: z.enum(lanes),
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable(),
    counts: z.object({ total: z.number().int(), pending: z.number().int(), running: z.number().int(), completed: z.number().int(), failed: z.number().int(), blocked: z.number().int(), canceled: z.number().int() }).describe('Images by state.'),
    progress: z.number().describe('Finished images ÷ all, 0..1.'),
    createdAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'JobListItem' });

export const jobListResponseSchema = z
  .object({
    items: z.array(jobListItemSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
  })
  .meta({ id: 'JobList' });
