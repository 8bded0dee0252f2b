/** The queue routes' contract. */
import { z } from 'zod';
import { executionModes, jobPriorities, jobStatuses } from '../../core/job.js';
import { exampleId, idSchema, timestampSchema } from './common.js';

const jobIdList = (what: string) =>
  z
    .array(idSchema)
    .min(1, { error: 'must list at least one job (or leave the field out)' })
    .max(1000, { error: 'must list at most 1000 jobs' })
    .optional()
    .describe(what);

export const queuePatchBodySchema = z
  .strictObject({
    first: jobIdList('Run these jobs before the others of their priority, in this order.'),
    last: jobIdList('Run these jobs after the others of their priority, in this order.'),
    reset: jobIdList('Put these jobs back among the jobs that take turns.'),
    priorities: z
      .array(z.strictObject({ id: idSchema, priority: z.enum(jobPriorities, { error: 'must be interactive, normal or bulk' }) }))
      .min(1, { error: 'must list at least one job (or leave the field out)' })
      .max(1000)
      .optional()
      .describe('New priorities: interactive > normal > bulk.'),
  })
  .refine((body) => body.first !== undefined || body.last !== undefined || body.reset !== undefined || body.priorities !== undefined, {
    error: 'give at least one of first, last, reset, priorities',
  })
  .meta({ id: 'QueueChange', minProperties: 1, example: { first: [exampleId(3)], priorities: [{ id: exampleId(4), priority: 'bulk' }] } } as Record<string, unknown>);

export const queueEntrySchema = z
  .object({
    id: idSchema,
    name: z.string(),
    groupId: idSchema,
    mode: z.string(),
    provider: z.string(),
    model: z.string(),
    status: z.enum(jobStatuses).describe('queued, processing or paused.'),
    statusReason: z.string().nullable(),
    priority: z.enum(jobPriorities),
    execution: z.enum(executionModes),
    position: z.number().int().describe('1-based place in scheduling order.'),
    placement: z.enum(['first', 'turns', 'last']).describe('first/last: moved by PATCH /api/queue; turns: takes turns with its peers.'),
    counts: z.object({ total: z.number().int(), pending: z.number().int(), running: z.number().int(), completed: z.number().int(), failed: z.number().int(), blocked: z.number().int(), canceled: z.number().int() }),
    progress: z.number().describe('0..1.'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'QueueEntry' });

export const queueResponseSchema = z.object({ jobs: z.array(queueEntrySchema) }).meta({ id: 'Queue' });
