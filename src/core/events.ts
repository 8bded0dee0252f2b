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
function taskEvent<Type extends string, Payload extends z.ZodType>(type: Type, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: idText, taskId: idText, payload });
}

/** Envelope of an event about one job as a whole (no taskId). */
function jobEvent<Type extends string, Payload extends z.ZodType>(type: Type, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: idText, taskId: z.undefined().optional(), payload });
}

/** Envelope of an event about no single job (the queue, a provider). */
function fleetEvent<Type extends string, Payload extends z.ZodType>(type: Type, payload: Payload) {
  return z.object({ type: z.literal(type), jobId: z.undefined().optional(), taskId: z.undefined().optional(), payload });
}

/** `job.started`: the job's first task was claimed. */
export const jobStartedEventSchema = jobEvent('job.started', z.object({}));

/** `job.paused`: the job stopped claiming tasks. */
export const jobPausedEventSchema = jobEvent(
  'job.paused',
  z.object({
    /** Why, as shown to the user (the job's status reason); null when none was stored. */
    reason: z.string().nullable(),
    /** `user`: paused by a person or tool; `budget`: the next task would pass the job's budget. */
    cause: z.enum(['user', 'budget']),
  }),
);

/** `job.resumed`: a paused job claims tasks again. */
export const jobResumedEventSchema = jobEvent('job.resumed', z.object({}));

/** `job.retrying`: failed or blocked tasks of the job were queued again. */
export const jobRetryingEventSchema = jobEvent(
  'job.retrying',
  z.object({
    /** How many tasks were queued again. */
    tasks: z.number().int().nonnegative(),
  }),
);

/**
 * `job.finished`: the job reached a final status. Written by the job outcome rule (every task
 * ended) or by a cancel; the counts are present in the first case, `canceledTasks` in the second.
 */
export const jobFinishedEventSchema = jobEvent(
  'job.finished',
  z.object({
    /** The final status. */
    status: z.enum(['completed', 'failed', 'canceled']),
    /** Why it failed (counts of failed and blocked tasks); null or absent otherwise. */
    reason: z.string().nullable().optional(),
    /** Tasks that completed (outcome rule only). */
    completed: z.number().int().nonnegative().optional(),
    /** Tasks that failed (outcome rule only). */
    failed: z.number().int().nonnegative().optional(),
    /** Tasks the provider's safety filter blocked (outcome rule only). */
    blocked: z.number().int().nonnegative().optional(),
    /** Tasks that were canceled (outcome rule only). */
    canceled: z.number().int().nonnegative().optional(),
    /** What the job spent, in USD (outcome rule only). */
    spentUsd: z.number().optional(),
    /** Tasks the cancel stopped (cancel only). */
    canceledTasks: z.number().int().nonnegative().optional(),
  }),
);

/** `task.started`: a worker claimed the task and is calling the provider. */
export const taskStartedEventSchema = taskEvent(
  'task.started',
  z.object({
    /** The task's position in its job, from 0. */
    ordinal: z.number().int().nonnegative(),
    /** Which attempt this is, from 1. */
    attempt: z.number().int().positive(),
  }),
);

/** `task.progress`: how far a running provider call is. In-process only: never persisted, no id. */
export const taskProgressEventSchema = taskEvent(
  'task.progress',
  z.object({
    /** Fraction done, 0..1. */
    fraction: z.number(),
  }),
);

/** `task.completed`: the task's images are stored. */
export const taskCompletedEventSchema = taskEvent(
  'task.completed',
  z.object({
    /** Images the task produced. */
    imageCount: z.number().int().nonnegative(),
    /** What the call cost, in USD. */
    costUsd: z.number(),
    /** Non-fatal notes from the provider or the output checks. */
    warnings: z.array(z.string()),
  }),
);

/** `task.retrying`: the attempt failed in a way worth another try; the task waits until `availableAtMs`. */
export const taskRetryingEventSchema = taskEvent(
  'task.retrying',
  z.object({
    /** The failure's error code (e.g. `provider_rate_limited`, `provider_unavailable`). */
    errorCode: z.string(),
    /** The failure, as shown to the user. */
    message: z.string(),
    /** When the task may be claimed again, epoch ms. */
    availableAtMs: z.number(),
    /** Attempts used so far (a rate-limited wait does not use one). */
    attempts: z.number().int().nonnegative(),
  }),
);

/** `task.failed`: the task ended without images. */
export const taskFailedEventSchema = taskEvent(
  'task.failed',
  z.object({
    /** `blocked`: the provider's safety filter refused it; `failed`: anything else. */
    status: z.enum(['failed', 'blocked']),
    /** The failure's error code (e.g. `invalid_input`, `worker_lost`). */
    errorCode: z.string(),
    /** The failure, as shown to the user. */
    message: z.string(),
  }),
);

/** `task.canceled`: one task was canceled (a whole-job cancel writes `job.finished` instead). */
export const taskCanceledEventSchema = taskEvent(
  'task.canceled',
  z.object({
    /** Images the task would have produced. */
    imageCount: z.number().int().nonnegative(),
    /** Whether a provider call was running (it is aborted). */
    wasRunning: z.boolean(),
  }),
);

/** `task.recovered`: the task's worker stopped holding its lease; it was queued again. */
export const taskRecoveredEventSchema = taskEvent(
  'task.recovered',
  z.object({
    /** How many times a lease on this task has expired so far. */
    leaseExpirations: z.number().int().positive(),
  }),
);

/** `queue.changed`: jobs were moved in the queue or given another priority. */
export const queueChangedEventSchema = fleetEvent(
  'queue.changed',
  z.object({
    /** Each changed job; a field is absent when it did not change. */
    jobs: z.array(
      z.object({
        jobId: idText,
        /** The job's new place among jobs of its priority. */
        queuePosition: z.number().optional(),
        /** The job's new priority. */
        priority: z.enum(jobPriorities).optional(),
      }),
    ),
  }),
);

/** `provider.paused`: a provider (or one model's limit scope) stopped taking calls; its tasks wait. */
export const providerPausedEventSchema = fleetEvent(
  'provider.paused',
  z.object({
    /** The paused scope: a provider id (`gemini`) or a limit key (`gemini:model`, `…@batch`). */
    scopeKey: z.string(),
    /** Why, as shown to the user. */
    reason: z.string(),
    /** When the pause ends by itself, epoch ms; null: until the credentials change or someone resumes it. */
    untilMs: z.number().nullable(),
  }),
);

/** `provider.resumed`: a paused provider scope takes calls again. */
export const providerResumedEventSchema = fleetEvent(
  'provider.resumed',
  z.object({
    /** The resumed scope (see `provider.paused`). */
    scopeKey: z.string(),
    /** Why it resumed (`pause period ended`, `credentials changed`). */
    reason: z.string(),
  }),
);

/** `provider.rate_limited`: the provider asked to slow down; calls under the scope wait until `untilMs`. */
export const providerRateLimitedEventSchema = fleetEvent(
  'provider.rate_limited',
  z.object({
    /** The limit key that was rate limited (`provider:model`, `…@batch`). */
    scopeKey: z.string(),
    /** When calls may start again, epoch ms. */
    untilMs: z.number(),
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
