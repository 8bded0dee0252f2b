/** PATCH /api/queue's use case: moves and priorities, stamped with the fleet's clock, and the engine woken once. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeQueue } from '../../src/operations/change-queue.js';
import { readQueue } from '../../src/operations/read-queue.js';
import { rejectionOf } from '../support/thrown-by.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

describe('changeQueue', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('moves a job first and changes a priority, stamping the change with the fleet clock, and wakes the engine', async () => {
    const { harness, clock, engine } = context;
    const older = await harness.createJob();
    const newer = await harness.createJob();
    const wakesBefore = engine.wakes;
    clock.advance(60_000);
    const queue = await changeQueue({ first: [newer], priorities: [{ jobId: older, priority: 'bulk' }] }, { store: harness.store, clock, engine });
    expect(queue.map((entry) => entry.job.id)).toEqual([newer, older]);
    expect(queue.find((entry) => entry.job.id === older)?.job.priority).toBe('bulk');
    expect(queue.find((entry) => entry.job.id === newer)?.queuePosition).toBeLessThan(0);
    expect((await harness.store.jobs.getJob(newer))?.updatedAtMs).toBe(clock.now());
    expect(engine.wakes).toBe(wakesBefore + 1);
    expect(await readQueue({}, { store: harness.store })).toEqual(queue);
  });

  it('refuses a job named twice, changing nothing and waking nobody', async () => {
    const { harness, clock, engine } = context;
    const jobId = await harness.createJob();
    const before = await readQueue({}, { store: harness.store });
    const wakesBefore = engine.wakes;
    const error = await rejectionOf(() => changeQueue({ first: [jobId], last: [jobId] }, { store: harness.store, clock, engine }));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'last.0' }] });
    expect(await readQueue({}, { store: harness.store })).toEqual(before);
    expect(engine.wakes).toBe(wakesBefore);
  });
});
