/**
 * Through the `Store` port only: a state change's event is in the log and published on the
 * store's bus once, after its commit; a change refused mid-way publishes nothing (DESIGN §5.8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/core/events.js';
import { buildJobInput } from '../store-test-helpers.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

describe.each(storeFactoriesWithPostgres())('store contract: events published after commit ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('publishes a pause once, after it commits, with what the log holds', async () => {
    opened = await factory.open();
    const { store } = opened;
    const group = await store.groups.getOrCreateDefault();
    await store.jobs.createJob(buildJobInput({ groupId: group.id, taskCount: 2 }));
    const published: DomainEvent[] = [];
    const inLog: Array<Promise<number>> = [];
    store.eventBus.subscribe((event) => {
      published.push(event);
      inLog.push(store.events.lastEventId());
    });

    await store.control.pauseJob('job-1', 'for the test', 5_000);
    expect(published).toEqual([{ type: 'job.paused', jobId: 'job-1', payload: { reason: 'for the test', cause: 'user' } }]);
    const stored = await store.events.readEvents(0, { jobId: 'job-1' });
    expect(stored.filter((event) => event.type === 'job.paused')).toHaveLength(1);
    // The listener already saw the row committed.
    expect(await Promise.all(inLog)).toEqual([stored.at(-1)!.id]);
  });

  it('publishes nothing for a change the store refuses', async () => {
    opened = await factory.open();
    const { store } = opened;
    const group = await store.groups.getOrCreateDefault();
    await store.jobs.createJob(buildJobInput({ groupId: group.id, taskCount: 1 }));
    await store.control.cancelJob('job-1', 5_000);
    const published: DomainEvent[] = [];
    store.eventBus.subscribe((event) => published.push(event));
    await expect(store.control.pauseJob('job-1', undefined, 6_000)).rejects.toMatchObject({ code: 'conflict' });
    expect(published).toEqual([]);
  });
});
