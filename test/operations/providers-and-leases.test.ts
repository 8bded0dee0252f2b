/** The provider list (limits per lane, pauses by provider or model scope) and taking back leases of dead processes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderLimits } from '../../src/engine/ports.js';
import { listProviders, pausedReasonOf } from '../../src/operations/list-providers.js';
import { reclaimDeadLeases } from '../../src/operations/reclaim-dead-leases.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

const onlineLimits: ProviderLimits = { requestsPerMinute: 10, maxConcurrency: 2, cooldownMs: 0 };
const batchLimits: ProviderLimits = { requestsPerMinute: 1, maxConcurrency: 100, cooldownMs: 0 };

describe('pausedReasonOf', () => {
  const state = (scopeKey: string, pausedReason: string | undefined) => ({ scopeKey, pausedReason, pausedUntilMs: undefined, nextRequestAtMs: 0, concurrencyLimit: undefined });

  it('finds a pause of the provider or of one of its models, and nothing for another provider of a similar name', () => {
    expect(pausedReasonOf([state('gemini', 'bad key')], 'gemini')).toBe('bad key');
    expect(pausedReasonOf([state('gemini', undefined), state('gemini:flash@batch', 'daily quota')], 'gemini')).toBe('daily quota');
    expect(pausedReasonOf([state('gemini-proxy', 'down')], 'gemini')).toBeUndefined();
    expect(pausedReasonOf([], 'gemini')).toBeUndefined();
  });
});

describe('listProviders and reclaimDeadLeases', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('lists each configured provider with its online limits, no batch limits without a batch model, and no pause', async () => {
    const { harness, clock } = context;
    const items = await listProviders({}, { store: harness.store, providers: harness.registry, clock, limitsFor: (_providerId, lane) => (lane === 'batch' ? batchLimits : onlineLimits) });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ pausedReason: undefined, limits: { online: onlineLimits, batch: undefined }, loraNames: [] });
    expect(items[0]!.provider.id).toBe('scripted');
  });

  it('takes back only the dead owners\' tasks, then logs and wakes the engine; with none dead it does neither', async () => {
    const { harness, clock, config, engine, logger } = context;
    await harness.createJob({ taskCount: 2 });
    const claim = (workerId: string) =>
      harness.store.queue.claimNext({
        nowMs: clock.now(),
        workerId,
        leaseMs: 60_000,
        providers: [{ providerKey: 'scripted:scripted-model', providerId: 'scripted', requestsPerMinute: 0, maxConcurrency: 10, cooldownMs: 0, credentialFingerprint: undefined }],
      });
    await claim('box:111:aaaa');
    await claim('box:222:bbbb');
    const dependencies = { store: harness.store, clock, config, engine, logger };
    const wakes = engine.wakes;
    expect(await reclaimDeadLeases({ isOwnerGone: () => false }, dependencies)).toEqual({ requeued: 0, poisoned: 0, owners: [] });
    expect(engine.wakes).toBe(wakes);
    expect(logger.lines).toEqual([]);
    expect(await reclaimDeadLeases({ isOwnerGone: (owner) => owner.includes(':222:') }, dependencies)).toEqual({ requeued: 1, poisoned: 0, owners: ['box:222:bbbb'] });
    expect(engine.wakes).toBe(wakes + 1);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('Took back tasks');
  });
});
