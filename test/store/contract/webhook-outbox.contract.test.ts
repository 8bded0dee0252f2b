import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEventType } from '../../../src/core/webhook-events.js';
import type { NewWebhookEndpoint, Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claimTask, complete, jobInput, taskIdOf } from './contract-fixtures.js';

function endpoint(id: string, eventTypes: WebhookEventType[]): NewWebhookEndpoint {
  return { id, url: `https://hooks.example.com/${id}`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', eventTypes };
}

describe.each(storeFactoriesWithPostgres())('store contract: webhook outbox ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  /** A store with job-1 (two tasks) told to ep_a (job.completed) and ep_b (job.completed, task.completed). */
  async function openStoreWithEndpoints(): Promise<{ store: Store; groupId: string }> {
    opened = await factory.open();
    const store = opened.store;
    const group = await store.groups.createGroup('Hooks');
    await store.jobs.createJob({ ...jobInput({ groupId: group.id, taskCount: 2 }), webhooks: [endpoint('ep_a', ['job.completed']), endpoint('ep_b', ['job.completed', 'task.completed'])] });
    return { store, groupId: group.id };
  }

  async function finishJob(store: Store): Promise<void> {
    await complete(store, await claimTask(store, taskIdOf('job-1', 0), baseMs + 10), baseMs + 10);
    await complete(store, await claimTask(store, taskIdOf('job-1', 1), baseMs + 20), baseMs + 20);
  }

  it('enqueues one delivery per subscribed endpoint with the event, and none for other events or jobs', async () => {
    const { store, groupId } = await openStoreWithEndpoints();
    await store.jobs.createJob({ ...jobInput({ jobId: 'quiet', groupId, taskCount: 1 }) });
    await finishJob(store);
    await complete(store, await claimTask(store, taskIdOf('quiet', 0), baseMs + 30), baseMs + 30);
    const rows = await store.webhooks.listDeliveries({ limit: 10 });
    expect(rows.map((row) => [row.endpointId, row.eventType]).sort()).toEqual([
      ['ep_a', 'job.completed'],
      ['ep_b', 'job.completed'],
      ['ep_b', 'task.completed'],
      ['ep_b', 'task.completed'],
    ]);
    const jobCompleted = rows.find((row) => row.endpointId === 'ep_a')!;
    expect(jobCompleted).toMatchObject({
      url: 'https://hooks.example.com/ep_a',
      jobId: 'job-1',
      status: 'pending',
      attempts: 0,
      nextAttemptAtMs: baseMs + 20,
      lastAttemptAtMs: undefined,
      lastStatusCode: undefined,
      lastError: undefined,
      createdAtMs: baseMs + 20,
      finishedAtMs: undefined,
    });
    expect(jobCompleted.eventPayload).toMatchObject({ status: 'completed', completed: 2 });
    expect(await store.webhooks.pendingCount('job-1')).toBe(4);
    expect(await store.webhooks.pendingCount('quiet')).toBe(0);
    expect(await store.webhooks.pendingCount()).toBe(4);
    expect(await store.webhooks.nextDueAtMs(baseMs)).toBe(baseMs + 10);
    expect((await store.webhooks.listDeliveries({ jobId: 'quiet', limit: 10 })).length).toBe(0);
    expect((await store.webhooks.listDeliveries({ limit: 2 })).length).toBe(2);
  });

  it('leases due deliveries oldest first, fences stale leases, and re-offers expired ones with the saved body', async () => {
    const { store } = await openStoreWithEndpoints();
    await finishJob(store);
    expect(await store.webhooks.claimDue({ nowMs: baseMs + 5, leaseMs: 1000, limit: 10 })).toEqual([]);
    const first = await store.webhooks.claimDue({ nowMs: baseMs + 100, leaseMs: 1000, limit: 2 });
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({ body: undefined, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', delivery: { eventType: 'task.completed', createdAtMs: baseMs + 10 } });
    const rest = await store.webhooks.claimDue({ nowMs: baseMs + 100, leaseMs: 1000, limit: 10 });
    expect(rest).toHaveLength(2);
    expect(new Set([...first, ...rest].map((claim) => claim.delivery.id)).size).toBe(4);
    expect(await store.webhooks.claimDue({ nowMs: baseMs + 500, leaseMs: 1000, limit: 10 })).toEqual([]);

    const stale = first[0]!;
    const reclaimed = await store.webhooks.claimDue({ nowMs: baseMs + 1100, leaseMs: 1000, limit: 10 });
    expect(reclaimed).toHaveLength(4);
    expect(await store.webhooks.saveBody(stale.delivery.id, stale.leaseToken, '{}')).toBe(false);
    expect(await store.webhooks.recordAttempt({ deliveryId: stale.delivery.id, leaseToken: stale.leaseToken, nowMs: baseMs + 1200, body: '{}', outcome: { kind: 'delivered', statusCode: 200 } })).toBe(false);

    const fresh = reclaimed.find((claim) => claim.delivery.id === stale.delivery.id)!;
    expect(await store.webhooks.saveBody(fresh.delivery.id, fresh.leaseToken, '{"a":1}')).toBe(true);
    expect(
      await store.webhooks.recordAttempt({ deliveryId: fresh.delivery.id, leaseToken: fresh.leaseToken, nowMs: baseMs + 1200, body: '{"a":1}', outcome: { kind: 'retry', nextAttemptAtMs: baseMs + 9000, statusCode: 500, error: 'HTTP 500' } }),
    ).toBe(true);
    const others = reclaimed.filter((claim) => claim.delivery.id !== fresh.delivery.id);
    for (const other of others) expect(await store.webhooks.releaseDelivery(other.delivery.id, other.leaseToken)).toBe(true);
    expect(await store.webhooks.releaseDelivery(fresh.delivery.id, fresh.leaseToken)).toBe(false);
    // The released ones are due again at once (their due time has passed).
    expect(await store.webhooks.nextDueAtMs(baseMs + 1300)).toBeLessThanOrEqual(baseMs + 1300);
    expect((await store.webhooks.claimDue({ nowMs: baseMs + 1300, leaseMs: 1000, limit: 10 })).map((claim) => claim.delivery.id).sort()).toEqual(others.map((claim) => claim.delivery.id).sort());

    const again = (await store.webhooks.claimDue({ nowMs: baseMs + 9000, leaseMs: 1000, limit: 10 })).find((claim) => claim.delivery.id === fresh.delivery.id);
    expect(again).toMatchObject({ body: '{"a":1}', delivery: { attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', lastAttemptAtMs: baseMs + 1200, status: 'pending' } });
  });

  it('records delivered and failed attempts as finished, lists by status, and prunes finished rows', async () => {
    const { store } = await openStoreWithEndpoints();
    await finishJob(store);
    const [delivered, failed] = await store.webhooks.claimDue({ nowMs: baseMs + 100, leaseMs: 1000, limit: 2 });
    await store.webhooks.recordAttempt({ deliveryId: delivered!.delivery.id, leaseToken: delivered!.leaseToken, nowMs: baseMs + 200, body: '{}', outcome: { kind: 'delivered', statusCode: 204 } });
    await store.webhooks.recordAttempt({ deliveryId: failed!.delivery.id, leaseToken: failed!.leaseToken, nowMs: baseMs + 300, body: '{}', outcome: { kind: 'failed', statusCode: undefined, error: 'connection refused' } });
    expect(await store.webhooks.listDeliveries({ status: 'delivered', limit: 10 })).toEqual([
      expect.objectContaining({ id: delivered!.delivery.id, status: 'delivered', attempts: 1, lastStatusCode: 204, finishedAtMs: baseMs + 200 }),
    ]);
    expect(await store.webhooks.listDeliveries({ status: 'failed', limit: 10 })).toEqual([
      expect.objectContaining({ id: failed!.delivery.id, status: 'failed', lastStatusCode: undefined, lastError: 'connection refused', finishedAtMs: baseMs + 300 }),
    ]);
    expect(await store.webhooks.pendingCount('job-1')).toBe(2);
    expect(await store.webhooks.pruneFinished(baseMs + 250)).toBe(1);
    expect(await store.webhooks.pruneFinished(baseMs + 1000)).toBe(1);
    expect(await store.webhooks.listDeliveries({ limit: 10 })).toHaveLength(2);
  });

  it('enqueues a test delivery to a job-less endpoint, due now', async () => {
    opened = await factory.open();
    const { store } = opened;
    const test = await store.webhooks.enqueueTest({ endpoint: endpoint('ep_test', []), nowMs: 5000, payload: { hello: true } });
    expect(test).toMatchObject({ endpointId: 'ep_test', eventType: 'webhook.test', jobId: undefined, eventPayload: { hello: true }, status: 'pending', nextAttemptAtMs: 5000 });
    expect(await store.webhooks.nextDueAtMs(4000)).toBe(5000);
    const [claim] = await store.webhooks.claimDue({ nowMs: 5000, leaseMs: 1000, limit: 1 });
    expect(claim?.delivery.id).toBe(test.id);
    await store.webhooks.recordAttempt({ deliveryId: test.id, leaseToken: claim!.leaseToken, nowMs: 5001, body: '{}', outcome: { kind: 'delivered', statusCode: 204 } });
    expect(await store.webhooks.pruneFinished(6000)).toBe(1);
    expect(await store.webhooks.listDeliveries({ limit: 10 })).toEqual([]);
  });

  it('deletes a job’s endpoints and deliveries with the job (group deleted with its contents)', async () => {
    const { store, groupId } = await openStoreWithEndpoints();
    await finishJob(store);
    expect(await store.webhooks.pendingCount()).toBe(4);
    await store.groups.deleteGroup(groupId, { kind: 'delete' });
    expect(await store.webhooks.listDeliveries({ limit: 10 })).toEqual([]);
    expect(await store.webhooks.nextDueAtMs(baseMs)).toBeUndefined();
  });
});
