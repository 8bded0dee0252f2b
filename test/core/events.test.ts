import { describe, expect, it } from 'vitest';
import {
  domainEventSchema,
  domainEventTypes,
  inProcessEventTypes,
  isDomainEventType,
  parseDomainEvent,
  persistedEventTypes,
  type DomainEvent,
} from '../../src/core/events.js';

/** One valid event of every type, with today's payloads. */
const examples: DomainEvent[] = [
  { type: 'job.started', jobId: 'job-1', payload: {} },
  { type: 'job.paused', jobId: 'job-1', payload: { reason: 'Paused by the user.', cause: 'user' } },
  { type: 'job.paused', jobId: 'job-1', payload: { reason: 'Budget reached: …', cause: 'budget' } },
  { type: 'job.resumed', jobId: 'job-1', payload: {} },
  { type: 'job.retrying', jobId: 'job-1', payload: { tasks: 3 } },
  { type: 'job.finished', jobId: 'job-1', payload: { status: 'failed', reason: '1 failed; 2 completed', completed: 2, failed: 1, blocked: 0, canceled: 0, spentUsd: 0.12 } },
  { type: 'job.finished', jobId: 'job-1', payload: { status: 'canceled', canceledTasks: 4 } },
  { type: 'task.started', jobId: 'job-1', taskId: 'task-1', payload: { ordinal: 0, attempt: 1 } },
  { type: 'task.progress', jobId: 'job-1', taskId: 'task-1', payload: { fraction: 0.5 } },
  { type: 'task.completed', jobId: 'job-1', taskId: 'task-1', payload: { imageCount: 2, costUsd: 0.08, warnings: [] } },
  { type: 'task.retrying', jobId: 'job-1', taskId: 'task-1', payload: { errorCode: 'provider_unavailable', message: '503', availableAtMs: 5_000, attempts: 1 } },
  { type: 'task.failed', jobId: 'job-1', taskId: 'task-1', payload: { status: 'blocked', errorCode: 'content_blocked', message: 'safety' } },
  { type: 'task.canceled', jobId: 'job-1', taskId: 'task-1', payload: { imageCount: 1, wasRunning: true } },
  { type: 'task.recovered', jobId: 'job-1', taskId: 'task-1', payload: { leaseExpirations: 1 } },
  { type: 'queue.changed', payload: { jobs: [{ jobId: 'job-1', queuePosition: 2 }, { jobId: 'job-2', priority: 'bulk' }] } },
  { type: 'provider.paused', payload: { scopeKey: 'gemini', reason: 'bad key', untilMs: null } },
  { type: 'provider.resumed', payload: { scopeKey: 'gemini', reason: 'credentials changed' } },
  { type: 'provider.rate_limited', payload: { scopeKey: 'gemini:model', untilMs: 9_000 } },
];

describe('the domain event vocabulary', () => {
  it('parses one event of every type with its payload', () => {
    expect(new Set(examples.map((event) => event.type))).toEqual(new Set(domainEventTypes));
    for (const event of examples) expect(parseDomainEvent(event), event.type).toEqual(event);
  });

  it('lists every type of the union exactly once', () => {
    const schemaTypes = domainEventSchema.options.map((option) => option.shape.type.value);
    expect([...domainEventTypes].sort()).toEqual([...schemaTypes].sort());
    expect(new Set(domainEventTypes).size).toBe(domainEventTypes.length);
  });

  it('persists every type but task.progress', () => {
    expect(inProcessEventTypes).toEqual(['task.progress']);
    expect(persistedEventTypes).toHaveLength(domainEventTypes.length - 1);
    expect(persistedEventTypes).not.toContain('task.progress');
  });

  it('rejects unknown types', () => {
    expect(parseDomainEvent({ type: 'job.exploded', jobId: 'job-1', payload: {} })).toBeUndefined();
    expect(parseDomainEvent({ type: 'tick', payload: {} })).toBeUndefined();
    expect(isDomainEventType('job.finished')).toBe(true);
    expect(isDomainEventType('job.completed')).toBe(false);
  });

  it('rejects payloads that do not fit their type, and ids where the type has none or lacks them', () => {
    expect(parseDomainEvent({ type: 'task.completed', jobId: 'job-1', taskId: 'task-1', payload: { images: 4 } })).toBeUndefined();
    expect(parseDomainEvent({ type: 'task.failed', jobId: 'job-1', taskId: 'task-1', payload: { status: 'exploded', errorCode: 'x', message: 'y' } })).toBeUndefined();
    expect(parseDomainEvent({ type: 'job.finished', jobId: 'job-1', payload: { status: 'processing' } })).toBeUndefined();
    expect(parseDomainEvent({ type: 'task.started', jobId: 'job-1', payload: { ordinal: 0, attempt: 1 } })).toBeUndefined();
    expect(parseDomainEvent({ type: 'provider.paused', jobId: 'job-1', payload: { scopeKey: 'gemini', reason: 'r', untilMs: null } })).toBeUndefined();
    expect(parseDomainEvent({ type: 'job.started', payload: {} })).toBeUndefined();
    expect(parseDomainEvent(null)).toBeUndefined();
  });
});
