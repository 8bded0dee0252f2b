/**
 * The task routes' contract: a job's planned calls with their state (what the studio draws as
 * placeholders before images exist) and cancelling one call.
 */
import { z } from 'zod';
import { taskStatuses } from '../../core/task.js';
import { idSchema, pageLimitQuerySchema, timestampSchema } from './common.js';
import { jobStatuses } from '../../core/job.js';

/** Default and largest page of `GET /api/jobs/{id}/tasks`. */
export const defaultTaskPageSize = 500;
export const maxTaskPageSize = 1000;

export const taskListQuerySchema = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'is not a cursor this API handed out; pass nextCursor from the previous page unchanged' })
    .transform(Number)
    .optional()
    .describe('nextCursor of the previous page.'),
  limit: pageLimitQuerySchema({ maximum: maxTaskPageSize, defaultValue: defaultTaskPageSize, what: 'Tasks' }),
});

export const taskItemSchema = z
  .object({
    id: idSchema,
    ordinal: z.number().int().describe('Position in the job’s plan, 0-based (the order tasks run in).'),
    status: z.enum(taskStatuses).describe('queued, running, completed, failed, blocked or canceled.'),
    prompt: z.string(),
    promptId: z.string().describe('The prompt this call belongs to (studio: item-<i>-prompt-0 for items.i).'),
    setIndex: z.number().int().describe('The set (of batchSize images) within its prompt, 0-based.'),
    seed: z.number().int().nullable().describe('Seed of the call’s first image (its next images take seed+1, …); null when the model has no seeds.'),
    imageCount: z.number().int().describe('Images this call makes.'),
    referenceIds: z.array(idSchema),
    maskId: idSchema.nullable().describe('The inpainting mask (an upload) this call used; null without one.'),
    progress: z.number().nullable().describe('0..1 while running, when the provider reports it to this server; 1 when completed; else null.'),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable().describe('Why it failed or was blocked, or why it waits to be retried.'),
    imageIds: z.array(idSchema).describe('Its images, in output order (empty until it completes).'),
    createdAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'Task' });

const settingsSchema = z.object({
  size: z.string().describe('512, 1K, 2K or 4K.'),
  aspectRatio: z.string(),
  negativePrompt: z.string().nullable(),
  strength: z.number().nullable(),
  loras: z.array(z.object({ name: z.string(), weight: z.number() })),
});

export const taskListSchema = z
  .object({
    jobId: idSchema,
    job: z
      .object({
        id: idSchema,
        name: z.string(),
        mode: z.string(),
        status: z.enum(jobStatuses),
        provider: z.string(),
        model: z.string(),
        groupId: idSchema,
        settings: settingsSchema,
        createdAt: timestampSchema,
      })
      .describe('The job the tasks belong to, with the settings every task shares (what "use these settings again" copies).'),
    items: z.array(taskItemSchema).describe('In plan order.'),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
  })
  .meta({ id: 'TaskList' });

export const taskCancelResponseSchema = z
  .object({
    id: idSchema,
    status: z.literal('canceled'),
    job: z.object({ id: idSchema, status: z.enum(jobStatuses), statusReason: z.string().nullable() }).describe('The job after the cancel: it finishes when this was its last unfinished task.'),
  })
  .meta({ id: 'TaskCancel' });
