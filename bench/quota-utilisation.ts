/**
 * Benchmark 2: quota utilisation. A fake per-minute-limited image API (sliding window of N requests
 * per 60 s per API key) serves two clients at the same time, each with its own key: imagefleet's
 * engine configured with the quota, and a naive retry loop. Both see the same server, the same
 * latency and the same machine load, side by side. Run by `npm run bench` in its own process.
 */
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/fleet/create-fleet.js';
import { systemClock } from '../src/engine/system-clock.js';
import { startFakeQuotaServer, type FakeQuotaServer } from './support/fake-quota-server.js';
import { createHttpBenchProvider, httpBenchModelId, httpBenchProviderId } from './support/http-bench-provider.js';
import { runNaiveClient } from './support/naive-client.js';
import { analyseQuotaClient } from './support/quota-analysis.js';
import { reportScenarioResult } from './support/scenario-results.js';
import { encodeSmallPng, smallPngSidePixels } from './support/small-png.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

/**
 * N = 60 per minute and L = 1 s: both clients want more than N (the engine up to 16 calls a second,
 * the naive loops 3 calls per ~2 s = 90 a minute), so both run into the quota, and a 4-minute run
 * holds 4 quota windows (3 of them steady state) while a single window still has 60 requests, enough
 * that one request more or less moves the ratio by under 2%.
 */
const requestsPerMinute = 60;
const latencyMs = 1_000;
const latencyJitterMs = 100;
const runMs = 4 * 60_000;
/** Minute 0 is warm-up for both clients (both start with an empty window); minutes 1–3 are steady state. */
const steadyStartMs = 60_000;
const engineMaxConcurrency = 16;
/** More than the run can use (at most N per minute), so the engine never runs out of work. */
const engineTaskCount = 400;
const engineApiKey = 'engine-key';
const naiveApiKey = 'naive-key';
const naiveLoops = 3;
const naivePauseMs = 1_000;
const naiveRateLimitWaitMs = 30_000;
const progressEveryMs = 30_000;
const goalRatio = 0.95;
const goalRejectedShare = 0.02;

function progressLine(server: FakeQuotaServer, startedAtMs: number): string {
  const parts = [engineApiKey, naiveApiKey].map((apiKey) => {
    const own = server.records.filter((record) => record.apiKey === apiKey);
    const accepted = own.filter((record) => record.status === 200).length;
    return `${apiKey === engineApiKey ? 'engine' : 'naive'} ${accepted} ok / ${own.length - accepted} 429`;
  });
  return `quota utilisation: ${((Date.now() - startedAtMs) / 1000).toFixed(0)} s: ${parts.join(', ')}`;
}

async function main(): Promise<void> {
  const png = await encodeSmallPng();
  const server = await startFakeQuotaServer({ requestsPerWindow: requestsPerMinute, windowMs: 60_000, latencyMs, latencyJitterMs, png, pngSidePixels: smallPngSidePixels });
  const dataDir = await makeTempDataDir('quota');
  const config = loadConfig({
    IMAGEFLEET_DATA_DIR: dataDir.directory,
    IMAGEFLEET_MAX_IN_FLIGHT: String(engineMaxConcurrency),
    IMAGEFLEET_SHUTDOWN_GRACE_MS: '3000',
    IMAGEFLEET_LOG_LEVEL: 'silent',
  });
  const fleet = await createFleet(config, {
    extraProviders: [createHttpBenchProvider({ baseUrl: server.baseUrl, apiKey: engineApiKey, typicalLatencyMs: latencyMs })],
    extraLimits: { [httpBenchProviderId]: { requestsPerMinute, maxConcurrency: engineMaxConcurrency, cooldownMs: 0 } },
  });
  const naiveProvider = createHttpBenchProvider({ baseUrl: server.baseUrl, apiKey: naiveApiKey, typicalLatencyMs: latencyMs });
  const stopNaive = new AbortController();

  try {
    await fleet.submitJob({
      mode: 'studio',
      provider: httpBenchProviderId,
      model: httpBenchModelId,
      batchSize: 1,
      items: [{ referenceAssetIds: [], prompts: [{ text: 'quota utilisation prompt', count: engineTaskCount }] }],
    });
    console.log(`quota utilisation: N = ${requestsPerMinute}/min per key, L = ${latencyMs} ± ${latencyJitterMs} ms, ${runMs / 1000} s side by side`);

    const startedAtMs = Date.now();
    fleet.start();
    const naiveRun = runNaiveClient({
      provider: naiveProvider,
      modelId: httpBenchModelId,
      loops: naiveLoops,
      pauseMs: naivePauseMs,
      rateLimitWaitMs: naiveRateLimitWaitMs,
      maxRequestsPerLoop: Math.ceil(runMs / naivePauseMs),
      stop: stopNaive.signal,
    });
    while (Date.now() - startedAtMs < runMs) {
      await systemClock.sleep(Math.min(progressEveryMs, runMs - (Date.now() - startedAtMs)));
      console.log(progressLine(server, startedAtMs));
    }
    stopNaive.abort();
    await Promise.all([naiveRun, fleet.stop()]);

    const analyse = (apiKey: string) => analyseQuotaClient({ apiKey, records: server.records, startedAtMs, runMs, steadyStartMs, requestsPerMinute });
    await reportScenarioResult({
      scenario: 'quota-utilisation',
      requestsPerMinute,
      latencyMs,
      latencyJitterMs,
      runMs,
      engine: { ...analyse(engineApiKey), maxConcurrency: engineMaxConcurrency, tasksSubmitted: engineTaskCount },
      naive: { ...analyse(naiveApiKey), loops: naiveLoops, pauseMs: naivePauseMs, rateLimitWaitMs: naiveRateLimitWaitMs },
      goalRatio,
      goalRejectedShare,
      uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    });
  } finally {
    stopNaive.abort();
    await fleet.stop();
    await server.close();
    await dataDir.remove();
  }
}

await main();
