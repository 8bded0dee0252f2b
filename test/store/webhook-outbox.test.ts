/**
 * The outbox on real SQLite files: rows appear with the event in one transaction, two connections
 * (two processes) never claim the same row at once, stale leases are fenced, expired leases are
 * claimable again, and job deletion takes its endpoints and deliveries along.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendEvent, type NewEvent } from '../../src/store/database/event-log.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database/open-database.js';
import { SqliteJobRepository } from '../../src/store/database/job-repository.js';
import { SqliteWebhookOutbox } from '../../src/store/database/webhook-outbox.js';
import { buildJobInput, insertGroup, openTemporaryDatabase } from './store-test-helpers.js';

const endpoint = (id: string, eventTypes: Array<'job.completed' | 'task.completed' | 'job.paused'>) => ({ id, url: `https://hooks.example.com/${id}`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', eventTypes });

describe('SqliteWebhookOutbox', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{ database: SqliteDatabase; outbox: SqliteWebhookOutbox; jobId: string; directory: string }> {
    const opened = await openTemporaryDatabase();
    cleanups.push(opened.cleanup);
    const groupId = await insertGroup(opened.database);
    const input = buildJobInput({ groupId, taskCount: 2, createdAtMs: 1000 });
    await new SqliteJobRepository(opened.database.db).createJob({ ...input, webhooks: [endpoint('ep_a', ['job.completed']), endpoint('ep_b', ['job.completed', 'task.completed'])] });
    return { database: opened.database, outbox: new SqliteWebhookOutbox(opened.database.db), jobId: input.job.id, directory: opened.directory };
  }

  it('enqueues one row per subscribed endpoint with the event, and none for other events', async () => {
    const { database, outbox, jobId } = await setUp();
    await appendEvent(database.db, { type: 'job.finished', jobId, payload: { status: 'completed' }, nowMs: 2000 });
    await appendEvent(database.db, { type: 'task.completed', jobId, taskId: 't1', payload: { imageCount: 1, costUsd: 0, warnings: [] }, nowMs: 2001 });
    await appendEvent(database.db, { type: 'task.started', jobId, taskId: 't1', payload: { ordinal: 0, attempt: 1 }, nowMs: 2002 });
    // Typed events always carry their job; a row without one (another version's) must still enqueue nothing.
    await appendEvent(database.db, { type: 'job.finished', payload: { status: 'completed' }, nowMs: 2003 } as unknown as NewEvent);
    const rows = await outbox.listDeliveries({ limit: 10 });
    expect(rows.map((row) => [row.endpointId, row.eventType]).sort()).toEqual([
      ['ep_a', 'job.completed'],
      ['ep_b', 'job.completed'],
      ['ep_b', 'task.completed'],
    ]);
    expect(await outbox.pendingCount(jobId)).toBe(3);
    expect(await outbox.nextDueAtMs(2000)).toBe(2000);
  });

  it('lets two connections (processes) claim disjoint rows, fences stale leases, and re-offers expired ones', async () => {
    const { database, outbox, jobId, directory } = await setUp();
    await appendEvent(database.db, { type: 'job.finished', jobId, payload: { status: 'completed' }, nowMs: 2000 });
    const other = await openDatabase({ filePath: `${directory}/imagefleet.db` });
    cleanups.push(() => other.close());
    const otherOutbox = new SqliteWebhookOutbox(other.db);
    // One after the other: two better-sqlite3 connections in one thread would wait on each other (decisions/0002).
    const mine = await outbox.claimDue({ nowMs: 3000, leaseMs: 1000, limit: 1 });
    const theirs = await otherOutbox.claimDue({ nowMs: 3000, leaseMs: 1000, limit: 5 });
    expect(mine.length + theirs.length).toBe(2);
    expect(new Set([...mine, ...theirs].map((claim) => claim.delivery.id)).size).toBe(2);
    expect(await outbox.claimDue({ nowMs: 3500, leaseMs: 1000, limit: 5 })).toEqual([]);

    const [first] = [...mine, ...theirs];
    const reclaimed = await outbox.claimDue({ nowMs: 4000, leaseMs: 1000, limit: 5 });
    expect(reclaimed).toHaveLength(2);
    const stale = await outbox.recordAttempt({ deliveryId: first!.delivery.id, leaseToken: first!.leaseToken, nowMs: 4100, body: '{}', outcome: { kind: 'delivered', statusCode: 200 } });
    expect(stale).toBe(false);
    const fresh = reclaimed.find((claim) => claim.delivery.id === first!.delivery.id)!;
    expect(await outbox.saveBody(fresh.delivery.id, fresh.leaseToken, '{"a":1}')).toBe(true);
    expect(await outbox.recordAttempt({ deliveryId: fresh.delivery.id, leaseToken: fresh.leaseToken, nowMs: 4100, body: '{"a":1}', outcome: { kind: 'retry', nextAttemptAtMs: 9000, statusCode: 500, error: 'HTTP 500' } })).toBe(true);
    const again = (await outbox.claimDue({ nowMs: 9000, leaseMs: 1000, limit: 5 })).find((claim) => claim.delivery.id === fresh.delivery.id);
    expect(again).toMatchObject({ body: '{"a":1}', delivery: { attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' } });
  });

  it('deletes a job’s endpoints and deliveries with the job; prunes finished test deliveries', async () => {
    const { database, outbox, jobId } = await setUp();
    await appendEvent(database.db, { type: 'job.finished', jobId, payload: { status: 'completed' }, nowMs: 2000 });
    await database.db.deleteFrom('tasks').where('job_id', '=', jobId).execute();
    await database.db.deleteFrom('jobs').where('id', '=', jobId).execute();
    expect(await outbox.listDeliveries({ limit: 10 })).toEqual([]);

    const test = await outbox.enqueueTest({ endpoint: endpoint('ep_test', []), nowMs: 5000, payload: { hello: true } });
    const [claim] = await outbox.claimDue({ nowMs: 5000, leaseMs: 1000, limit: 1 });
    expect(claim?.delivery.id).toBe(test.id);
    await outbox.recordAttempt({ deliveryId: test.id, leaseToken: claim!.leaseToken, nowMs: 5001, body: '{}', outcome: { kind: 'delivered', statusCode: 204 } });
    expect(await outbox.pruneFinished(6000)).toBe(1);
    expect(await database.db.selectFrom('webhook_endpoints').selectAll().execute()).toEqual([]);
  });
});
