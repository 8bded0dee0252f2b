/**
 * Issue 18: three `imagefleet worker` OS processes on one data directory, one Gemini key, the
 * hidden-quota fake with no `GEMINI_RPM` set, discover ONE shared quota: they pace on the one
 * learned state in the database, so together they stay near the quota with few 429s, where three
 * private controllers would each climb to the whole quota and together ask for three times it.
 * Each worker reaches the fake through its own counting proxy, to show all three did calls.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { learnedRateView } from '../../src/engine/learned-rate/learned-rate.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { startHiddenQuotaServer, type HiddenQuotaServer } from '../fakes/gemini/hidden-quota-server.js';
import { cleanEnvironment, startCli, within, type CliProcess } from '../support/cli-process.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { makeTempDir } from '../support/temp-dir.js';
import { arrivalsInsideRetryDelay } from '../fakes/gemini/hidden-quota-policy.js';

const quota = { limit: 4, windowMs: 2_000 };
const quotaPerMinute = (quota.limit * 60_000) / quota.windowMs;
const taskCount = 80;
const apiKey = 'one-shared-key';
const model = 'nano-banana-2';

describe('three imagefleet worker processes on one data directory with GEMINI_RPM unset', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  let fake: HiddenQuotaServer;
  const proxies: CountingProxy[] = [];
  const workers: CliProcess[] = [];
  beforeEach(async () => {
    temp = await makeTempDir();
    fake = await startHiddenQuotaServer({ limits: { requests: quota }, latencyMs: { minMs: 200, maxMs: 400 } });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    for (const proxy of proxies.splice(0)) await proxy.close();
    await fake.close();
    await temp.cleanup();
  });

  it('share one learned quota: all finish, every process calls, few 429s, none inside a retry delay, one estimate near the quota', async () => {
    const dataDir = path.join(temp.directory, 'data');
    const environment = { IMAGEFLEET_DATA_DIR: dataDir, GEMINI_API_KEY: apiKey, IMAGEFLEET_LOG_LEVEL: 'warn', IMAGEFLEET_RETRY_BASE_MS: '50', IMAGEFLEET_RETRY_MAX_MS: '500' };
    const submitter = await createFleet(loadConfig({ ...environment, GEMINI_BASE_URL: fake.baseUrl }));
    await submitter.submitJob({
      mode: 'studio',
      provider: 'gemini',
      model,
      settings: { size: '512', aspectRatio: '1:1' },
      batchSize: 1,
      items: [{ referenceAssetIds: [], prompts: [{ text: 'three workers, one quota', count: taskCount }] }],
    });
    await submitter.stop();

    for (let index = 0; index < 3; index += 1) {
      const proxy = await startCountingProxy(fake.baseUrl);
      proxies.push(proxy);
      workers.push(startCli(['worker'], { env: cleanEnvironment({ ...environment, GEMINI_BASE_URL: proxy.baseUrl }) }));
    }
    await within(
      (async () => {
        while (fake.arrivals().filter((arrival) => arrival.status === 200).length < taskCount) {
          for (const worker of workers) if (worker.child.exitCode !== null) throw new Error(`a worker exited early:\n${worker.stderr()}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })(),
      150_000,
      'the three workers did not finish the job within 150 s',
    );
    for (const worker of workers) worker.child.kill('SIGTERM');
    for (const worker of workers) expect((await within(worker.exited, 20_000, 'a worker did not stop within 20 s')).code).toBe(0);

    const arrivals = fake.arrivals();
    expect(arrivals.filter((arrival) => arrival.status === 200)).toHaveLength(taskCount);
    for (const proxy of proxies) expect(proxy.requests()).toBeGreaterThan(0);
    const refused = arrivals.filter((arrival) => arrival.status === 429).length;
    // Three controllers of their own would each probe up to the whole quota: about two in three calls refused.
    expect(refused / arrivals.length).toBeLessThanOrEqual(0.15);
    expect(arrivalsInsideRetryDelay(arrivals)).toBe(0);

    const reader = await createFleet(loadConfig({ ...environment, GEMINI_BASE_URL: fake.baseUrl }));
    try {
      const learned = (await reader.store.queue.providerStates()).filter((state) => state.learnedRateState !== undefined);
      expect(learned.map((state) => state.scopeKey)).toEqual([`gemini:${model}`]);
      const view = learnedRateView(learned[0]!.learnedRateState!, Date.now());
      // One estimate of the one quota, not three times it (nor a third of it).
      if (view.phase === 'learned') {
        expect(view.estimatedPerMinute['requests-per-minute']).toBeLessThanOrEqual(1.25 * quotaPerMinute);
        expect(view.estimatedPerMinute['requests-per-minute']).toBeGreaterThanOrEqual(0.5 * quotaPerMinute);
      }
    } finally {
      await reader.stop();
    }
  }, 240_000);
});
