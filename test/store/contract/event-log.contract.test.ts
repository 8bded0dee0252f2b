import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claimTask, complete, createJobInNewGroup, taskIdOf } from './contract-fixtures.js';

describe.each(storeFactoriesWithPostgres())('store contract: event log ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    opened = await factory.open();
    return opened.store;
  }

  /** Two jobs: job-a's first task completes at +10, job-b is paused at +20, job-a's second task completes at +30 (finishing it). */
  async function storeWithEvents(): Promise<Store> {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-a', taskCount: 2, groupName: 'A' });
    await createJobInNewGroup(store, { jobId: 'job-b', taskCount: 1, groupName: 'B' });
    await complete(store, await claimTask(store, taskIdOf('job-a', 0), baseMs + 10), baseMs + 10);
    await store.control.pauseJob('job-b', undefined, baseMs + 20);
    await complete(store, await claimTask(store, taskIdOf('job-a', 1), baseMs + 30), baseMs + 30);
    return store;
  }

  it('reads events after an id, oldest first, with increasing ids, filtered by job and limited', async () => {
    const store = await storeWithEvents();
    const all = await store.events.readEvents(0, {});
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((left, right) => left - right));
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.map((event) => event.createdAtMs)).toEqual([...all.map((event) => event.createdAtMs)].sort((left, right) => left - right));
    expect(await store.events.lastEventId()).toBe(ids.at(-1));

    const jobA = await store.events.readEvents(0, { jobId: 'job-a' });
    expect(jobA.every((event) => event.jobId === 'job-a')).toBe(true);
    expect(jobA.map((event) => event.type)).toEqual(expect.arrayContaining(['task.completed', 'job.finished']));
    const completed = jobA.find((event) => event.type === 'task.completed' && event.taskId === taskIdOf('job-a', 0));
    expect(completed).toMatchObject({ jobId: 'job-a', taskId: taskIdOf('job-a', 0), createdAtMs: baseMs + 10 });
    const paused = (await store.events.readEvents(0, { jobId: 'job-b' })).find((event) => event.type === 'job.paused');
    expect(paused).toMatchObject({ jobId: 'job-b', taskId: undefined, payload: { reason: 'Paused by the user.', cause: 'user' }, createdAtMs: baseMs + 20 });

    const afterPause = await store.events.readEvents(paused!.id, {});
    expect(afterPause.every((event) => event.id > paused!.id && event.createdAtMs === baseMs + 30)).toBe(true);
    expect((await store.events.readEvents(0, { limit: 2 })).map((event) => event.id)).toEqual(ids.slice(0, 2));
    expect(await store.events.readEvents(ids.at(-1)!, {})).toEqual([]);
  });

  it('prunes events older than a time and reports how many; ids keep growing', async () => {
    const store = await storeWithEvents();
    const all = await store.events.readEvents(0, {});
    const older = all.filter((event) => event.createdAtMs < baseMs + 20).length;
    expect(older).toBeGreaterThan(0);
    expect(await store.events.pruneEvents(baseMs + 20)).toBe(older);
    expect((await store.events.readEvents(0, {})).map((event) => event.createdAtMs).every((createdAtMs) => createdAtMs >= baseMs + 20)).toBe(true);
    expect(await store.events.pruneEvents(baseMs + 20)).toBe(0);
    const lastBefore = await store.events.lastEventId();
    await store.control.resumeJob('job-b', baseMs + 40);
    expect(await store.events.lastEventId()).toBeGreaterThan(lastBefore);
  });

  it('starts at 0 on an empty store', async () => {
    const store = await openStore();
    expect(await store.events.lastEventId()).toBe(0);
    expect(await store.events.readEvents(0, {})).toEqual([]);
    expect(await store.events.pruneEvents(baseMs)).toBe(0);
  });
});
