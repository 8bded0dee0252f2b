/**
 * Events are published in-process only after the transaction that wrote them commits (DESIGN
 * §5.8): never for a rollback, once for a commit, in append order; and rows this version does not
 * recognise are read back as `unrecognised`, not skipped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventOf } from '../../src/core/events.js';
import { InProcessEventBus } from '../../src/engine/engine-events.js';
import { appendEvent, SqliteEventLog } from '../../src/store/database/event-log.js';
import { publishCommittedEventsTo, runImmediateTransaction } from '../../src/store/database/immediate-transaction.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let published: DomainEvent[];

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  const bus = new InProcessEventBus();
  publishCommittedEventsTo(database.db, bus);
  published = [];
  bus.subscribe((event) => published.push(event));
});
afterEach(async () => {
  await cleanup();
});

const started: DomainEventOf<'task.started'> = { type: 'task.started', jobId: 'job-a', taskId: 'task-a1', payload: { ordinal: 0, attempt: 1 } };
const completed: DomainEventOf<'task.completed'> = { type: 'task.completed', jobId: 'job-a', taskId: 'task-a1', payload: { imageCount: 1, costUsd: 0, warnings: [] } };

describe('publishing committed events', () => {
  it('never publishes an event appended in a transaction that rolls back', async () => {
    await expect(
      runImmediateTransaction(database.db, async (transaction) => {
        await appendEvent(transaction, { ...started, nowMs: 1 });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(published).toEqual([]);
    expect(await new SqliteEventLog(database.db).readEvents(0, {})).toEqual([]);
  });

  it('publishes a committed transaction’s events once, after the commit, in append order', async () => {
    let seenInsideTransaction = -1;
    await runImmediateTransaction(database.db, async (transaction) => {
      await appendEvent(transaction, { ...started, nowMs: 1 });
      await appendEvent(transaction, { ...completed, nowMs: 2 });
      seenInsideTransaction = published.length;
    });
    expect(seenInsideTransaction).toBe(0);
    expect(published).toEqual([started, completed]);
  });

  it('publishes a listener’s view only of committed rows: what it reads back is already there', async () => {
    const events = new SqliteEventLog(database.db);
    const readOnPublish: Array<Promise<number>> = [];
    const bus = new InProcessEventBus();
    publishCommittedEventsTo(database.db, bus);
    bus.subscribe(() => readOnPublish.push(events.lastEventId()));
    await events.appendEvent({ ...started, nowMs: 1 });
    expect(await Promise.all(readOnPublish)).toEqual([1]);
  });

  it('publishes an autocommitted append at once, and nothing from a transaction it cannot see commit', async () => {
    await appendEvent(database.db, { ...started, nowMs: 1 });
    expect(published).toEqual([started]);
    await database.db.transaction().execute(async (transaction) => {
      await appendEvent(transaction, { ...completed, nowMs: 2 });
    });
    expect(published).toEqual([started]);
  });

  it('keeps publishing to the other listeners when one throws', async () => {
    const bus = new InProcessEventBus();
    publishCommittedEventsTo(database.db, bus);
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    bus.subscribe((event) => seen.push(event.type));
    await new SqliteEventLog(database.db).appendEvent({ ...started, nowMs: 1 });
    expect(seen).toEqual(['task.started']);
  });
});

describe('reading stored events', () => {
  it('types recognised rows and passes on rows of unknown types or payloads as unrecognised', async () => {
    await appendEvent(database.db, { ...completed, nowMs: 1 });
    await database.db.insertInto('events').values({ type: 'job.exploded', job_id: 'job-a', task_id: null, payload_json: '{"size":3}', created_at_ms: 2 }).execute();
    await database.db.insertInto('events').values({ type: 'task.completed', job_id: 'job-a', task_id: 'task-a2', payload_json: '{"images":4}', created_at_ms: 3 }).execute();
    const [known, unknownType, unknownPayload] = await new SqliteEventLog(database.db).readEvents(0, {});
    expect(known).toMatchObject({ recognised: true, ...completed, createdAtMs: 1 });
    expect(unknownType).toMatchObject({ recognised: false, type: 'unrecognised', storedType: 'job.exploded', jobId: 'job-a', taskId: undefined, payload: { size: 3 }, createdAtMs: 2 });
    expect(unknownPayload).toMatchObject({ recognised: false, type: 'unrecognised', storedType: 'task.completed', taskId: 'task-a2', payload: { images: 4 } });
  });
});
