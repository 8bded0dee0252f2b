/**
 * The one vocabulary of domain events (DESIGN §5.8). Every event the store persists with the change
 * it reports, the in-process bus publishes after that change commits, the SSE stream sends, the CLI
 * progress display shows and webhooks map, is one of these types with this payload.
 *
 * Before this file there were two vocabularies (untyped durable rows and an in-process union with
 * flat fields) whose payloads had drifted apart; each payload here is the union of both, documented
 * per field. `task.progress` is the one type that is never persisted (see `persistedEventTypes`).
 *
 * Pure: zod only, so the browser bundle may import the types and names too.
 */
import { z } from 'zod';
import { jobPriorities } from './job.js';

const idText = z.string().min(1);

/** Wraps a payload schema into the envelope of an event about one task (jobId and taskId set). */
function taskEvent<Type extends string, Payload extends z.ZodType>(type: Type, description: string, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: idText, taskId: idText, payload }).describe(description);
}

/** Envelope of an event about one job as a whole (no taskId). */
function jobEvent<Type extends string, Payload extends z.ZodType>(type: Type, description: string, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: idText, taskId: z.undefined().optional(), payload }).describe(description);
}

/** Envelope of an event about no single job (the queue, a provider). */
function fleetEvent<Type extends string, Payload extends z.ZodType>(type: Type, description: string, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: z.undefined().optional(), taskId: z.undefined().optional(), payload }).describe(description);
}

/** `job.started`: the job's first task was claimed. */
export const jobStartedEventSchema = jobEvent('job.started', '`job.started`: the job\'s first task was claimed.', z.object({}));

/** `job.paused`: the job stopped claiming tasks. */
export const jobPausedEventSchema = jobEvent(
  'job.paused',
  '`job.paused`: the job stopped claiming tasks.',
  z.object({
    reason: z.string().nullable().describe('Why, as shown to the user (the job\'s status reason); null when none was stored.'),
    cause: z.enum(['user', 'budget']).describe('`user`: paused by a person or tool; `budget`: the next task would pass the job\'s budget.'),
  }),
);

/** `job.resumed`: a paused job claims tasks again. */
export const jobResumedEventSchema = jobEvent('job.resumed', '`job.resumed`: a paused job claims tasks again.', z.object({}));

/** `job.retrying`: failed or blocked tasks of the job were queued again. */
export const jobRetryingEventSchema = jobEvent(
  'job.retrying',
  '`job.retrying`: failed or blocked tasks of the job were queued again.',
  z.object({
    tasks: z.number().int().nonnegative().describe('How many tasks were queued again.'),
  }),
);

/**
 * `job.finished`: the job reached a final status. Written by the job outcome rule (every task
 * ended) or by a cancel; the counts are present in the first case, `canceledTasks` in the second.
 */
export const jobFinishedEventSchema = jobEvent(
  'job.finished',
  '`job.finished`: the job reached a final status. Written by the job outcome rule (every task ended) or by a cancel; the counts are present in the first case, `canceledTasks` in the second.',
  z.object({
    status: z.enum(['completed', 'failed', 'canceled']).describe('The final status.'),
    reason: z.string().nullable().optional().describe('Why it failed (counts of failed and blocked tasks); null or absent otherwise.'),
    completed: z.number().int().nonnegative().optional().describe('Tasks that completed (outcome rule only).'),
    failed: z.number().int().nonnegative().optional().describe('Tasks that failed (outcome rule only).'),
    blocked: z.number().int().nonnegative().optional().describe('Tasks the provider\'s safety filter blocked (outcome rule only).'),
    canceled: z.number().int().nonnegative().optional().describe('Tasks that were canceled (outcome rule only).'),
    spentUsd: z.number().optional().describe('What the job spent, in USD (outcome rule only).'),
    canceledTasks: z.number().int().nonnegative().optional().describe('Tasks the cancel stopped (cancel only).'),
  }),
);

/** `task.started`: a worker claimed the task and is calling the provider. */
export const taskStartedEventSchema = taskEvent(
  'task.started',
  '`task.started`: a worker claimed the task and is calling the provider.',
  z.object({
    ordinal: z.number().int().nonnegative().describe('The task\'s position in its job, from 0.'),
    attempt: z.number().int().positive().describe('Which attempt this is, from 1.'),
  }),
);

/** `task.progress`: how far a running provider call is. Never persisted, no id; other processes on a shared Postgres store receive it through NOTIFY (docs/decisions/0041). */
export const taskProgressEventSchema = taskEvent(
  'task.progress',
  '`task.progress`: how far a running provider call is. Never persisted, no id; on a shared Postgres store every app process streams it, whichever worker runs the call.',
  z.object({
    fraction: z.number().describe('Fraction done, 0..1.'),
  }),
);

/** `task.completed`: the task's images are stored. */
export const taskCompletedEventSchema = taskEvent(
  'task.completed',
  '`task.completed`: the task\'s images are stored.',
  z.object({
    imageCount: z.number().int().nonnegative().describe('Images the task produced.'),
    costUsd: z.number().describe('What the call cost, in USD.'),
    warnings: z.array(z.string()).describe('Non-fatal notes from the provider or the output checks.'),
  }),
);

/** `task.retrying`: the attempt failed in a way worth another try; the task waits until `availableAtMs`. */
export const taskRetryingEventSchema = taskEvent(
  'task.retrying',
  '`task.retrying`: the attempt failed in a way worth another try; the task waits until `availableAtMs`.',
  z.object({
    errorCode: z.string().describe('The failure\'s error code (e.g. `provider_rate_limited`, `provider_unavailable`).'),
    message: z.string().describe('The failure, as shown to the user.'),
    availableAtMs: z.number().describe('When the task may be claimed again, epoch ms.'),
    attempts: z.number().int().nonnegative().describe('Attempts used so far (a rate-limited wait does not use one).'),
  }),
);

/** `task.failed`: the task ended without images. */
export const taskFailedEventSchema = taskEvent(
  'task.failed',
  '`task.failed`: the task ended without images.',
  z.object({
    status: z.enum(['failed', 'blocked']).describe('`blocked`: the provider\'s safety filter refused it; `failed`: anything else.'),
    errorCode: z.string().describe('The failure\'s error code (e.g. `invalid_input`, `worker_lost`).'),
    message: z.string().describe('The failure, as shown to the user.'),
  }),
);

/** `task.canceled`: one task was canceled (a whole-job cancel writes `job.finished` instead). */
export const taskCanceledEventSchema = taskEvent(
  'task.canceled',
  '`task.canceled`: one task was canceled (a whole-job cancel writes `job.finished` instead).',
  z.object({
    imageCount: z.number().int().nonnegative().describe('Images the task would have produced.'),
    wasRunning: z.boolean().describe('Whether a provider call was running (it is aborted).'),
  }),
);

/** `task.recovered`: the task's worker stopped holding its lease; it was queued again. */
export const taskRecoveredEventSchema = taskEvent(
  'task.recovered',
  '`task.recovered`: the task\'s worker stopped holding its lease; it was queued again.',
  z.object({
    leaseExpirations: z.number().int().positive().describe('How many times a lease on this task has expired so far.'),
  }),
);

/** `queue.changed`: jobs were moved in the queue or given another priority. */
export const queueChangedEventSchema = fleetEvent(
  'queue.changed',
  '`queue.changed`: jobs were moved in the queue or given another priority.',
  z.object({
    /** Each changed job; a field is absent when it did not change. */
    jobs: z.array(
      z.object({
        jobId: idText,
        queuePosition: z.number().optional().describe('The job\'s new place among jobs of its priority.'),
        priority: z.enum(jobPriorities).optional().describe('The job\'s new priority.'),
      }),
    ),
  }),
);

/** `provider.paused`: a provider (or one model's limit scope) stopped taking calls; its tasks wait. */
export const providerPausedEventSchema = fleetEvent(
  'provider.paused',
  '`provider.paused`: a provider (or one model\'s limit scope) stopped taking calls; its tasks wait.',
  z.object({
    scopeKey: z.string().describe('The paused scope: a provider id (`gemini`) or a limit key (`gemini:model`, `…@batch`).'),
    reason: z.string().describe('Why, as shown to the user.'),
    untilMs: z.number().nullable().describe('When the pause ends by itself, epoch ms; null: until the credentials change or someone resumes it.'),
  }),
);

/** `provider.resumed`: a paused provider scope takes calls again. */
export const providerResumedEventSchema = fleetEvent(
  'provider.resumed',
  '`provider.resumed`: a paused provider scope takes calls again.',
  z.object({
    scopeKey: z.string().describe('The resumed scope (see `provider.paused`).'),
    reason: z.string().describe('Why it resumed (`pause period ended`, `credentials changed`).'),
  }),
);

/** `provider.rate_limited`: the provider asked to slow down; calls under the scope wait until `untilMs`. */
export const providerRateLimitedEventSchema = fleetEvent(
  'provider.rate_limited',
  '`provider.rate_limited`: the provider asked to slow down; calls under the scope wait until `untilMs`.',
  z.object({
    scopeKey: z.string().describe('The limit key that was rate limited (`provider:model`, `…@batch`).'),
    untilMs: z.number().describe('When calls may start again, epoch ms.'),
  }),
);

/** Every domain event, discriminated by `type`. */
export const domainEventSchema = z.discriminatedUnion('type', [
  jobStartedEventSchema,
  jobPausedEventSchema,
  jobResumedEventSchema,
  jobRetryingEventSchema,
  jobFinishedEventSchema,
  taskStartedEventSchema,
  taskProgressEventSchema,
  taskCompletedEventSchema,
  taskRetryingEventSchema,
  taskFailedEventSchema,
  taskCanceledEventSchema,
  taskRecoveredEventSchema,
  queueChangedEventSchema,
  providerPausedEventSchema,
  providerResumedEventSchema,
  providerRateLimitedEventSchema,
]);

/** One domain event: `type`, `jobId`/`taskId` where the event is about a job or task, and its typed `payload`. */
export type DomainEvent = z.output<typeof domainEventSchema>;
export type DomainEventType = DomainEvent['type'];
/** The event of one type. */
export type DomainEventOf<Type extends DomainEventType> = Extract<DomainEvent, { type: Type }>;

/** Every event type, in the order the docs list them. */
export const domainEventTypes = [
  'job.started',
  'task.started',
  'task.progress',
  'task.completed',
  'task.retrying',
  'task.failed',
  'task.canceled',
  'task.recovered',
  'job.paused',
  'job.resumed',
  'job.retrying',
  'job.finished',
  'queue.changed',
  'provider.paused',
  'provider.resumed',
  'provider.rate_limited',
] as const satisfies readonly DomainEventType[];

/** Types that exist only in-process: published on the bus, never written to the event log. */
export const inProcessEventTypes = ['task.progress'] as const satisfies readonly DomainEventType[];

/** An event the store persists (every type but the in-process ones). */
export type PersistedDomainEvent = Exclude<DomainEvent, { type: (typeof inProcessEventTypes)[number] }>;
export type PersistedDomainEventType = PersistedDomainEvent['type'];

/**
 * The type and payload of a persisted event, as a policy decides it before the adapter adds the
 * job/task ids and the time (e.g. the job lifecycle's `job.paused` with its reason).
 */
export type PersistedEventBody = PersistedDomainEvent extends infer Event ? (Event extends PersistedDomainEvent ? Pick<Event, 'type' | 'payload'> : never) : never;

/** Types the event log holds, in the order the docs list them. */
export const persistedEventTypes = domainEventTypes.filter(
  (type): type is PersistedDomainEventType => !(inProcessEventTypes as readonly string[]).includes(type),
);

/** Whether `type` names an event of this vocabulary. */
export function isDomainEventType(type: string): type is DomainEventType {
  return (domainEventTypes as readonly string[]).includes(type);
}

/** Parses `candidate` as a domain event: the event, or undefined when its type is unknown or its payload does not fit. */
export function parseDomainEvent(candidate: unknown): DomainEvent | undefined {
  const result = domainEventSchema.safeParse(candidate);
  return result.success ? result.data : undefined;
}
