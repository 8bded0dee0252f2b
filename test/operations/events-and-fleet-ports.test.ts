/** The event log as live streams read it, and the Fleet's public type naming ports only (a compile-time guard). */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { BlobStore, Clock, Store } from '../../src/engine/ports.js';
import type { Fleet } from '../../src/fleet/create-fleet.js';
import { latestEventId } from '../../src/operations/latest-event-id.js';
import type { OperationDependencies } from '../../src/operations/operation-dependencies.js';
import { readEvents } from '../../src/operations/read-events.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

describe('readEvents and latestEventId', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('reads the events after an id, of one job or all, up to a limit; the latest id is where new ones start', async () => {
    const { harness, clock } = context;
    const store = harness.store;
    const start = await latestEventId({}, { store });
    const first = await harness.createJob();
    const second = await harness.createJob();
    await store.control.cancelJob(first, clock.now());
    await store.control.cancelJob(second, clock.now());
    const all = await readEvents({ afterId: start, limit: 100 }, { store });
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((event) => event.id)).toEqual([...all.map((event) => event.id)].sort((left, right) => left - right));
    expect(await latestEventId({}, { store })).toBe(all.at(-1)!.id);
    const ofFirst = await readEvents({ afterId: start, jobId: first, limit: 100 }, { store });
    expect(ofFirst.length).toBeGreaterThan(0);
    expect(ofFirst.every((event) => event.jobId === first)).toBe(true);
    expect(await readEvents({ afterId: start, limit: 1 }, { store })).toHaveLength(1);
    expect(await readEvents({ afterId: all.at(-1)!.id, limit: 100 }, { store })).toEqual([]);
  });
});

describe('the Fleet type', () => {
  it('exposes the store, blobs and clock by their ports, and is itself the dependencies of every operation', () => {
    expectTypeOf<Fleet['store']>().toEqualTypeOf<Store>();
    expectTypeOf<Fleet['blobs']>().toEqualTypeOf<BlobStore>();
    expectTypeOf<Fleet['clock']>().toEqualTypeOf<Clock>();
    expectTypeOf<Fleet>().toExtend<OperationDependencies>();
  });
});
