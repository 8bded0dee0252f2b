import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvent, SqliteEventLog } from '../../src/store/database/event-log.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let events: SqliteEventLog;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  events = new SqliteEventLog(database.db);
});
afterEach(async () => {
  await cleanup();
});

describe('SqliteEventLog', () => {
  it('reads events after an id, oldest first, filtered by job and limited', async () => {
    await appendEvent(database.db, { type: 'job.started', jobId: 'job-a', payload: {}, nowMs: 1 });
    await appendEvent(database.db, { type: 'task.completed', jobId: 'job-b', taskId: 'task-b1', payload: { imageCount: 1, costUsd: 0, warnings: [] }, nowMs: 2 });
    await events.appendEvent({ type: 'task.completed', jobId: 'job-a', taskId: 'task-a1', payload: { imageCount: 4, costUsd: 0.5, warnings: ['seed 7 reused'] }, nowMs: 3 });
    await appendEvent(database.db, { type: 'job.finished', jobId: 'job-a', payload: { status: 'completed' }, nowMs: 4 });

    const all = await events.readEvents(0, {});
    expect(all.map((event) => event.type)).toEqual(['job.started', 'task.completed', 'task.completed', 'job.finished']);
    expect(all[0]).toMatchObject({ jobId: 'job-a', taskId: undefined, createdAtMs: 1 });
    expect(all[2]).toMatchObject({ taskId: 'task-a1', payload: { imageCount: 4, costUsd: 0.5, warnings: ['seed 7 reused'] } });
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((left, right) => left - right));

    const afterFirst = await events.readEvents(all[0]?.id ?? 0, { jobId: 'job-a' });
    expect(afterFirst.map((event) => event.createdAtMs)).toEqual([3, 4]);
    expect((await events.readEvents(0, { limit: 2 })).map((event) => event.createdAtMs)).toEqual([1, 2]);
    expect(await events.readEvents(all[3]?.id ?? 0, {})).toEqual([]);
  });

  it('appends inside a caller transaction: a rollback leaves no event', async () => {
    await database.db
      .transaction()
      .execute(async (transaction) => {
        await appendEvent(transaction, { type: 'task.started', jobId: 'job-a', taskId: 'task-a1', payload: { ordinal: 0, attempt: 1 }, nowMs: 1 });
        throw new Error('the state change failed');
      })
      .catch(() => undefined);
    expect(await events.readEvents(0, {})).toEqual([]);
  });

  it('prunes events older than a time and reports how many', async () => {
    for (const nowMs of [100, 200, 300, 400]) await appendEvent(database.db, { type: 'provider.rate_limited', payload: { scopeKey: 'local:tick', untilMs: nowMs }, nowMs });
    expect(await events.pruneEvents(300)).toBe(2);
    expect((await events.readEvents(0, {})).map((event) => event.createdAtMs)).toEqual([300, 400]);
    expect(await events.pruneEvents(300)).toBe(0);
  });
});
