/** The live events route's contract. */
import { z } from 'zod';
import { idSchema } from './common.js';

export const eventsQuerySchema = z.strictObject({
  job: idSchema.optional().describe('Only this job’s events; without Last-Event-ID the stream starts with the job’s first event.'),
  after: z
    .string()
    .regex(/^\d{1,15}$/, { error: 'must be an event id (a whole number)' })
    .transform(Number)
    .optional()
    .describe('Start after this event id (like Last-Event-ID, which wins when both are given).'),
});

export const eventDataSchema = z
  .object({
    id: z.number().int().nullable().describe('Event id (null for task.progress, which is not stored).'),
    type: z.string().describe('job.started, task.started, task.progress, task.completed, task.retrying, task.failed, task.canceled, task.recovered, job.paused, job.resumed, job.retrying, job.finished, queue.changed, provider.paused, provider.resumed, provider.rate_limited.'),
    jobId: z.string().nullable(),
    taskId: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .meta({ id: 'Event' });
