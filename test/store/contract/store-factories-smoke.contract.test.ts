import { afterEach, describe, expect, it } from 'vitest';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

describe.each(storeFactoriesWithPostgres())('store contract: opening ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('opens empty: no jobs, no events, a Default group on first use', async () => {
    opened = await factory.open();
    const { store } = opened;
    expect(await store.jobs.listJobs({})).toEqual([]);
    expect(await store.events.lastEventId()).toBe(0);
    const defaultGroup = await store.groups.getOrCreateDefault();
    expect(defaultGroup.name).toBe('Default');
    expect((await store.groups.getOrCreateDefault()).id).toBe(defaultGroup.id);
  });
});
