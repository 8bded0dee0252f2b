/**
 * Issue 18 item 3 through the real engine: `createFleet` with `GEMINI_RPM` unset (auto) against the
 * hidden-quota Gemini fake whose only limit is input tokens per minute. Each call carries a
 * reference image and a prompt; the claim charges the learned pace the call's estimated tokens, so
 * the 429 naming the tokens quota (its QuotaFailure `quotaId`) learns an estimate in tokens from
 * what the started calls carried, and the pace then spaces calls by their tokens. Before issue 18
 * item 3 the starts carried no tokens: the estimate came out at the floor (1 token a minute) and
 * the tokens pace spaced nothing.
 */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { learnedRateView } from '../../../src/engine/learned-rate/learned-rate.js';
import { createFleet, type Fleet } from '../../../src/fleet/create-fleet.js';
import { startHiddenQuotaServer, type HiddenQuotaServer } from '../../fakes/gemini/hidden-quota-server.js';
import { waitFor } from '../../support/engine-harness.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { arrivalsInsideRetryDelay } from '../../fakes/gemini/hidden-quota-policy.js';

const model = 'nano-banana-2';
const prompt = 'the product on a sunny windowsill';
/** What one call sends as the fake counts it (and as the Gemini estimate does): a ≤ 384 px image is 258 tokens, text 4 characters a token. */
const tokensPerCall = 258 + Math.ceil(prompt.length / 4);
/** About 20 calls a minute, unknown to the engine. */
const quotaTokensPerMinute = 20 * tokensPerCall;
const taskCount = 30;

describe('a learned input-tokens-per-minute pace through the engine (Gemini, GEMINI_RPM unset)', () => {
  let fake: HiddenQuotaServer | undefined;
  let fleet: Fleet | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await fleet?.stop();
    await fake?.close();
    await cleanup?.();
  });

  it('learns the tokens quota from what the started calls carried and paces the rest by tokens: few 429s, none inside a retry delay', { timeout: 240_000 }, async () => {
    fake = await startHiddenQuotaServer({ limits: { inputTokensPerMinute: quotaTokensPerMinute }, latencyMs: { minMs: 100, maxMs: 300 } });
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    fleet = await createFleet(
      loadConfig({
        IMAGEFLEET_DATA_DIR: temp.directory,
        IMAGEFLEET_LOG_LEVEL: 'warn',
        IMAGEFLEET_IDLE_POLL_MS: '20',
        IMAGEFLEET_RETRY_BASE_MS: '50',
        IMAGEFLEET_RETRY_MAX_MS: '500',
        IMAGEFLEET_MAX_ATTEMPTS: '10',
        GEMINI_API_KEY: 'tokens-quota-key',
        GEMINI_BASE_URL: fake.baseUrl,
      }),
    );
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
    const reference = await fleet.importAsset(new Uint8Array(png), 'reference.png');
    const { job } = await fleet.submitJob({
      mode: 'studio',
      provider: 'gemini',
      model,
      settings: { size: '512', aspectRatio: '1:1' },
      batchSize: 1,
      items: [{ referenceAssetIds: [reference.id], prompts: [{ text: prompt, count: taskCount }] }],
    });
    fleet.start();
    await waitFor(async () => ['completed', 'failed', 'canceled'].includes((await fleet!.store.jobs.getJob(job!.id))?.status ?? ''), 220_000, 'the job to finish');
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');

    const arrivals = fake.arrivals();
    expect(arrivals.filter((arrival) => arrival.status === 200)).toHaveLength(taskCount);
    const refused = arrivals.filter((arrival) => arrival.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((arrival) => arrival.refusedBy === 'input-tokens')).toBe(true);
    // One discovery 429 (maybe a second from a call already in flight), then the tokens pace holds.
    expect(refused.length).toBeLessThanOrEqual(3);
    expect(arrivalsInsideRetryDelay(arrivals)).toBe(0);

    const state = (await fleet.store.queue.providerStates()).find((view) => view.scopeKey === `gemini:${model}`)?.learnedRateState;
    const view = state && learnedRateView(state, Date.now());
    // Learned in tokens from what the started calls carried (the engine's estimate equals the fake's count here).
    expect(view?.estimatedPerMinute['input-tokens-per-minute']).toBeGreaterThanOrEqual(0.5 * quotaTokensPerMinute);
    expect(view?.estimatedPerMinute['input-tokens-per-minute']).toBeLessThanOrEqual(1.25 * quotaTokensPerMinute);
    expect(view?.estimatedPerMinute['requests-per-minute']).toBeUndefined();
  });
});
