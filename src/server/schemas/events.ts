/**
 * The live events route's contract. Each event's `data:` is documented from the one vocabulary's
 * zod schemas (`core/events.ts`): the stored envelope (id, ids as null when absent, ISO time)
 * around each type's payload schema, so the docs cannot drift from what is written.
 */
import { z } from 'zod';
import { domainEventSchema, domainEventTypes, type DomainEvent } from '../../core/events.js';
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

/** The `data:` of one event of type `Event['type']` as the stream sends it. */
type EventData<Event extends DomainEvent> = Event extends DomainEvent
  ? { id: number | null; type: Event['type']; jobId: string | null; taskId: string | null; payload: Event['payload']; createdAt: string }
  : never;

function eventDataVariant(option: (typeof domainEventSchema.options)[number]) {
  const type = option.shape.type.value;
  return z.object({
    id: z.number().int().nullable().describe(type === 'task.progress' ? 'Always null: task.progress is not stored.' : 'Event id; resume after it with Last-Event-ID.'),
    type: option.shape.type,
    jobId: z.string().nullable().describe('The job the event is about; null for queue and provider events.'),
    taskId: z.string().nullable().describe('The task the event is about; null for job, queue and provider events.'),
    payload: option.shape.payload,
    createdAt: z.string().describe('When it happened, ISO 8601.'),
  }).describe(option.description ?? type);
}

const eventDataVariants = domainEventSchema.options.map(eventDataVariant);

/**
 * One event's `data:`, discriminated by `type` (one of `domainEventTypes`). A row written by
 * another version of imagefleet that this one does not recognise is sent as it was stored.
 */
export const eventDataSchema = z
  .discriminatedUnion('type', eventDataVariants as unknown as [ReturnType<typeof eventDataVariant>, ...Array<ReturnType<typeof eventDataVariant>>])
  .describe(`One of: ${domainEventTypes.join(', ')}.`)
  .meta({ id: 'Event' }) as unknown as z.ZodType<EventData<DomainEvent>>;
