/**
 * What the Postgres store guarantees beyond the shared contract suite (docs/decisions/0039): the
 * startup sentence, retries of serialization failures with publish-after-commit, event ids handed
 * out in commit order, and exact micro-USD money. A real throwaway server, as in the contract suite.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/core/events.js';
import { isImagefleetError } from '../../../src/core/errors.js';
import { listenForCommittedEvents } from '../../../src/store/postgres/listen-for-events.js';
import { appendPostgresEvent } from '../../../src/store/postgres/postgres-event-log.js';
import { runPostgresTransaction } from '../../../src/store/postgres/postgres-transaction.js';
import { openPostgresStore, type PostgresStore } from '../../../src/store/postgres-store.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../../support/postgres-server.js';
import { baseMs, complete, endAs, jobInput, openPolicy } from '../contract/contract-fixtures.js';

const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;

describe.skipIf(!postgresAvailable)('Postgres store (skipped outside CI when PostgreSQL is not installed)', () => {
  let server: PostgresServer;
  let databaseCount = 0;
  const opened: PostgresStore[] = [];

  beforeAll(async () => {
    server = await startPostgresServer();
  }, 60_000);
  afterAll(async () => {
    for (const store of opened) await store.close();
    await server.stop();
  });

  async function openStore(): Promise<PostgresStore> {
    databaseCount += 1;
    const store = await openPostgresStore({ connectionString: await server.createDatabase(`store_${databaseCount}`), poolSize: 4 });
    opened.push(store);
    return store;
  }

  it('says in one sentence, naming IMAGEFLEET_DATABASE_URL but not the password, when the server cannot be reached', async () => {
    const unreachable = `postgres://imagefleet:hunter2@127.0.0.1:${server.port + 1}/imagefleet`;
    const error: unknown = await openPostgresStore({ connectionString: unreachable }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    const message = (error as Error).message;
    expect(message).toContain('IMAGEFLEET_DATABASE_URL');
    expect(message).toContain('127.0.0.1');
    expect(message).not.toContain('hunter2');
  });

  it('opens an already migrated database again (the baseline is not re-applied) and keeps its data', async () => {
    const first = await openStore();
    const group = await first.groups.createGroup('Kept');
    const again = await openPostgresStore({ connectionString: `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`, poolSize: 1 });
    opened.push(again);
    expect((await again.groups.getGroup(group.id))?.name).toBe('Kept');
  });

  it('refuses a database migrated by a newer imagefleet, in one sentence', async () => {
    const store = await openStore();
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', now()::text)`.execute(store.connection.db);
    const connectionString = `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`;
    await expect(openPostgresStore({ connectionString, poolSize: 1 })).rejects.toMatchObject({
      code: 'storage_unavailable',
      message: expect.stringContaining('was created by a newer version of imagefleet (unknown migrations: 9999-from-the-future)') as unknown,
    });
  });

  it('runs a transaction again after a serialization failure, publishing only the committed attempt’s events', async () => {
    const store = await openStore();
    const { db } = store.connection;
    const published: DomainEvent[] = [];
    store.eventBus.subscribe((event) => published.push(event));
    let attempts = 0;
    const result = await runPostgresTransaction(db, async (executor) => {
      attempts += 1;
      await appendPostgresEvent(executor, { type: 'queue.changed', payload: { jobs: [] }, nowMs: baseMs + attempts });
      if (attempts === 1) await sql`DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END $$`.execute(executor);
      return attempts;
    });
    expect(result).toBe(2);
    expect(published).toHaveLength(1);
    const stored = await store.events.readEvents(0, {});
    expect(stored.map((event) => event.createdAtMs)).toEqual([baseMs + 2]);
  });

  it('does not retry other errors, and publishes nothing for them', async () => {
    const store = await openStore();
    const published: DomainEvent[] = [];
    store.eventBus.subscribe((event) => published.push(event));
    let attempts = 0;
    await expect(
      runPostgresTransaction(store.connection.db, async (executor) => {
        attempts += 1;
        await appendPostgresEvent(executor, { type: 'queue.changed', payload: { jobs: [] }, nowMs: baseMs });
        await sql`SELECT 1 / 0`.execute(executor);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(attempts).toBe(1);
    expect(published).toEqual([]);
    expect(await store.events.lastEventId()).toBe(0);
  });

  it('hands out event ids in commit order: a later appender waits for the open one, so no reader skips an id', async () => {
    const store = await openStore();
    const { db } = store.connection;
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstAppended!: () => void;
    const firstHasAppended = new Promise<void>((resolve) => (firstAppended = resolve));
    const order: string[] = [];
    const first = runPostgresTransaction(db, async (executor) => {
      const id = await appendPostgresEvent(executor, { type: 'queue.changed', payload: { jobs: [] }, nowMs: baseMs + 1 });
      firstAppended();
      await firstMayCommit;
      order.push('first committing');
      return id;
    });
    await firstHasAppended;
    const second = runPostgresTransaction(db, async (executor) => {
      const id = await appendPostgresEvent(executor, { type: 'queue.changed', payload: { jobs: [] }, nowMs: baseMs + 2 });
      order.push('second appended');
      return id;
    });
    // The second append is blocked behind the first transaction: nothing is visible yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual([]);
    expect(await store.events.readEvents(0, {})).toEqual([]);
    releaseFirst();
    const [firstId, secondId] = await Promise.all([first, second]);
    expect(order).toEqual(['first committing', 'second appended']);
    expect(secondId).toBeGreaterThan(firstId);
  });

  it('keeps money exact in micro-USD and hands the port USD', async () => {
    const store = await openStore();
    const group = await store.groups.createGroup('Money');
    const input = jobInput({ groupId: group.id, taskCount: 3 });
    const job = await store.jobs.createJob({ ...input, job: { ...input.job, budgetUsd: 0.1 + 0.2, estimatedCostUsd: 0.000_001 * 3 } });
    expect(job.budgetUsd).toBe(0.3);
    expect(job.estimatedCostUsd).toBe(0.000_003);
    expect(job.spentUsd).toBe(0);
    const row = await store.connection.db.selectFrom('jobs').select(['budget_micro_usd', 'estimated_cost_micro_usd']).where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ budget_micro_usd: 300_000, estimated_cost_micro_usd: 3 });
  });

  it('decides leases and their recovery on the database clock, whatever clock the caller passes', async () => {
    const store = await openStore();
    const group = await store.groups.createGroup('Clock');
    await store.jobs.createJob(jobInput({ groupId: group.id, taskCount: 1 }));
    // A caller whose clock says 1970: the lease still runs from the database's now.
    const claimed = await store.queue.claimNext({ nowMs: 0, workerId: 'skewed', leaseMs: 60_000, providers: [openPolicy] });
    expect(claimed).toBeDefined();
    const leaseOf = async (): Promise<number> =>
      (await store.connection.db.selectFrom('tasks').select('lease_expires_at_ms').where('id', '=', claimed!.task.id).executeTakeFirstOrThrow()).lease_expires_at_ms ?? 0;
    expect(Math.abs((await leaseOf()) - (Date.now() + 60_000))).toBeLessThan(10_000);
    // A caller whose clock runs far ahead cannot take back a lease the database says is live…
    expect(await store.queue.recoverExpiredLeases(baseMs * 2, 3)).toEqual({ requeued: 0, poisoned: 0 });
    // …and one that is expired by the database's clock is taken back even if the caller thinks it is 1970.
    expect(await store.queue.renewLease(claimed!.task.id, claimed!.leaseToken, 0, 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.queue.recoverExpiredLeases(0, 3)).toEqual({ requeued: 1, poisoned: 0 });
  });

  it('keeps RPM and concurrency exact across two stores (two machines) claiming at once', async () => {
    const first = await openStore();
    const connectionString = `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`;
    const second = await openPostgresStore({ connectionString, poolSize: 4 });
    opened.push(second);
    const group = await first.groups.createGroup('Shared');
    await first.jobs.createJob(jobInput({ jobId: 'rpm', groupId: group.id, taskCount: 20 }));
    const rateLimited = { ...openPolicy, requestsPerMinute: 3 };
    const claimAll = (store: PostgresStore, workerId: string) =>
      Promise.all(Array.from({ length: 6 }, () => store.queue.claimNext({ nowMs: 0, workerId, leaseMs: 60_000, providers: [rateLimited] })));
    const claims = (await Promise.all([claimAll(first, 'a'), claimAll(second, 'b')])).flat().filter((claimed) => claimed !== undefined);
    expect(claims).toHaveLength(3);
    expect(new Set(claims.map((claimed) => claimed.task.id)).size).toBe(3);

    await first.jobs.createJob(jobInput({ jobId: 'slots', groupId: group.id, taskCount: 20, createdAtMs: baseMs + 1 }));
    const fiveAtATime = { ...openPolicy, providerKey: 'local:variations-v1', maxConcurrency: 5 };
    const moreClaims = (await Promise.all([first, second].map((store, index) => Promise.all(Array.from({ length: 5 }, () => store.queue.claimNext({ nowMs: 0, workerId: `w${index}`, leaseMs: 60_000, providers: [fiveAtATime] }))))))
      .flat()
      .filter((claimed) => claimed !== undefined);
    // Three tasks of the first job still run: only two more slots of five.
    expect(moreClaims).toHaveLength(2);
  });

  it('keeps a learned pace exact across two stores (two machines) claiming and starting at once: one schedule, one start per slot', async () => {
    const first = await openStore();
    const connectionString = `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`;
    const second = await openPostgresStore({ connectionString, poolSize: 4 });
    opened.push(second);
    const group = await first.groups.createGroup('Shared');
    await first.jobs.createJob(jobInput({ jobId: 'learned', groupId: group.id, taskCount: 20 }));
    const learned = { ...openPolicy, learnedRate: true };
    // Nothing learned yet: 10/min, so one start now and the next slot 6 s later, whoever asks.
    const claimAll = (store: PostgresStore, workerId: string) =>
      Promise.all(Array.from({ length: 6 }, () => store.queue.claimNext({ nowMs: 0, workerId, leaseMs: 60_000, providers: [learned] })));
    const starts = (await Promise.all([claimAll(first, 'a'), claimAll(second, 'b'), first.queue.startRequest(learned, 0), second.queue.startRequest(learned, 0)])).flat();
    const started = starts.filter((start) => start !== undefined && ('task' in start || start.started));
    expect(started).toHaveLength(1);
    const rows = await sql<{ state: { nextSlotAtMs: number; usage: Array<{ startMs: number; started: { requests: number } }> } }>`SELECT state FROM learned_rates`.execute(first.connection.db);
    expect(rows.rows).toHaveLength(1);
    const state = rows.rows[0]!.state;
    expect(state.usage.reduce((sum, bucket) => sum + bucket.started.requests, 0)).toBe(1);
    const refused = starts.find((start): start is { started: false; retryAtMs: number } => start !== undefined && 'started' in start && !start.started);
    expect(refused?.retryAtMs).toBe(state.nextSlotAtMs);
  });

  it('notifies other processes once per committed transaction with the newest event id, and never for a rollback', async () => {
    const store = await openStore();
    const connectionString = `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`;
    const heard: number[] = [];
    const listener = await listenForCommittedEvents(connectionString, (newestEventId) => heard.push(newestEventId));
    try {
      const group = await store.groups.createGroup('Wake');
      await store.jobs.createJob(jobInput({ groupId: group.id, taskCount: 2 }));
      await store.control.pauseJob('job-1', undefined, baseMs + 1);
      await expect(store.control.pauseJob('missing', undefined, baseMs + 2)).rejects.toMatchObject({ code: 'not_found' });
      await store.control.cancelJob('job-1', baseMs + 3);
      await expect.poll(() => heard.length).toBe(2);
      const ids = (await store.events.readEvents(0, {})).map((event) => event.id);
      // One notification per committed transaction, carrying its newest event id: the pause, then the cancel.
      expect(heard[0]).toBe(ids[0]);
      expect(heard[1]).toBe(ids.at(-1));
    } finally {
      await listener.close();
    }
  });

  it('closes a job exactly once when two machines end its last two tasks at the same moment (a completion and a failure)', async () => {
    const first = await openStore();
    const connectionString = `${server.url.replace(/\/postgres$/, '')}/store_${databaseCount}`;
    const second = await openPostgresStore({ connectionString, poolSize: 4 });
    opened.push(second);
    const group = await first.groups.createGroup('Race');
    for (let round = 0; round < 5; round += 1) {
      const jobId = `race-${round}`;
      await first.jobs.createJob(jobInput({ jobId, groupId: group.id, taskCount: 2, createdAtMs: baseMs + round }));
      const claimedByFirst = await first.queue.claimNext({ nowMs: 0, workerId: 'a', leaseMs: 60_000, providers: [openPolicy] });
      const claimedBySecond = await second.queue.claimNext({ nowMs: 0, workerId: 'b', leaseMs: 60_000, providers: [openPolicy] });
      expect(claimedByFirst?.job.id).toBe(jobId);
      expect(claimedBySecond?.job.id).toBe(jobId);
      const outcomes = await Promise.all([complete(first, claimedByFirst!, baseMs + 10), endAs(second, claimedBySecond!, 'failed', baseMs + 10)]);
      expect(outcomes.filter((outcome) => outcome.finishedJob !== undefined)).toHaveLength(1);
      expect((await first.jobs.getJob(jobId))?.status).toBe('failed');
      const finished = (await first.events.readEvents(0, { jobId })).filter((event) => event.type === 'job.finished');
      expect(finished).toHaveLength(1);
    }
  });
});
