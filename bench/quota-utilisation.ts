/**
 * Benchmark 2: quota utilisation, two rounds at the same time over the same 4 minutes.
 *
 * - Gemini round (the headline): the real `gemini` provider (`@google/genai`) through the real
 *   engine, built from config the way a user's is (`GEMINI_API_KEY`, `GEMINI_BASE_URL` pointing at
 *   the fake Gemini server, `GEMINI_RPM` = the fake's per-minute quota), against the fake Gemini
 *   server speaking the REST protocol with that quota and a latency.
 * - Generic round (the comparison): a fake per-minute-limited image API (sliding window of N
 *   requests per 60 s per API key) serves two clients side by side, each with its own key:
 *   imagefleet's engine configured with the quota, and a naive retry loop.
 *
 * Run by `npm run bench` in its own process; on its own it prints its result as JSON.
 */
import { loadConfig } from '../src/config/load-config.js';
import { createFleet, type Fleet } from '../src/fleet/create-fleet.js';
import { systemClock } from '../src/engine/system-clock.js';
import { startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/gemini/fake-gemini-server.js';
import { startFakeQuotaServer, type FakeQuotaServer } from './support/fake-quota-server.js';
import { geminiQuotaRecords } from './support/gemini-quota-records.js';
import { createHttpBenchProvider, httpBenchModelId, httpBenchProviderId } from './support/http-bench-provider.js';
import { runNaiveClient } from './support/naive-client.js';
import { analyseQuotaClient } from './support/quota-analysis.js';
import { reportScenarioResult, type GeminiQuotaRound } from './support/scenario-results.js';
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

/**
 * The Gemini round: the same N, L and run as the generic round, and the same concurrency cap. The
 * fake's window stays 60 s although it could be shorter: the engine's limiter counts starts per
 * minute (60 s + a 750 ms margin, src/store/database/task-queue.ts), so with a shorter fake window
 * `GEMINI_RPM = N` would measure the mismatch, not the engine. The round runs beside the generic
 * one instead of after it, so the scenario still takes 4 minutes.
 */
const geminiApiKey = 'bench-gemini-key';
const geminiModel = 'nano-banana-2';
/** The smallest size: the 512×512 PNG the fake returns keeps the engine's per-image work small. */
const geminiSize = '512';
const geminiQuotaScope = 'project';

function progressLine(server: FakeQuotaServer, gemini: FakeGeminiServer, startedAtMs: number): string {
  const parts = [engineApiKey, naiveApiKey].map((apiKey) => {
    const own = server.records.filter((record) => record.apiKey === apiKey);
    const accepted = own.filter((record) => record.status === 200).length;
    return `${apiKey === engineApiKey ? 'engine' : 'naive'} ${accepted} ok / ${own.length - accepted} 429`;
  });
  const online = gemini.generateCalls.filter((call) => call.source === 'online');
  const geminiAccepted = online.filter((call) => call.httpStatus === 200).length;
  return `quota utilisation: ${((Date.now() - startedAtMs) / 1000).toFixed(0)} s: gemini ${geminiAccepted} ok / ${online.length - geminiAccepted} not; generic ${parts.join(', ')}`;
}

interface GeminiRound {
  fake: FakeGeminiServer;
  fleet: Fleet;
  jobId: string;
  removeDataDir(): Promise<void>;
}

/** Starts the fake Gemini server and a fleet configured for it exactly as a user would, and submits the job. */
async function prepareGeminiRound(): Promise<GeminiRound> {
  const fake = await startFakeGeminiServer({ quota: { requestsPerWindow: requestsPerMinute, windowMs: 60_000, scope: geminiQuotaScope }, latencyMs, apiKeys: [geminiApiKey] });
  const dataDir = await makeTempDataDir('quota-gemini');
  try {
    const config = loadConfig({
      IMAGEFLEET_DATA_DIR: dataDir.directory,
      IMAGEFLEET_MAX_IN_FLIGHT: String(engineMaxConcurrency),
      IMAGEFLEET_SHUTDOWN_GRACE_MS: '3000',
      IMAGEFLEET_LOG_LEVEL: 'silent',
      GEMINI_API_KEY: geminiApiKey,
      GEMINI_BASE_URL: fake.baseUrl,
      GEMINI_RPM: String(requestsPerMinute),
      GEMINI_CONCURRENCY: String(engineMaxConcurrency),
    });
    const fleet = await createFleet(config);
    const { job } = await fleet.submitJob({
      mode: 'studio',
      provider: 'gemini',
      model: geminiModel,
      settings: { size: geminiSize, aspectRatio: '1:1' },
      batchSize: 1,
      items: [{ referenceAssetIds: [], prompts: [{ text: 'quota utilisation prompt', count: engineTaskCount }] }],
    });
    if (!job) throw new Error('The Gemini job was not created.');
    return { fake, fleet, jobId: job.id, removeDataDir: () => dataDir.remove() };
  } catch (error) {
    await fake.close();
    await dataDir.remove();
    throw error;
  }
}

/** Stops the Gemini round's engine (in-flight calls get the grace) and reads what the store and the fake hold. */
async function finishGeminiRound(round: GeminiRound, startedAtMs: number): Promise<GeminiQuotaRound> {
  await round.fleet.engine.stop();
  const counts = await round.fleet.store.jobs.taskCounts(round.jobId);
  const imageRows = (await round.fleet.store.images.listImages({ jobId: round.jobId, limit: engineTaskCount + 1 })).length;
  await round.fleet.stop();

  const online = round.fake.generateCalls.filter((call) => call.source === 'online');
  const { records, otherReplies } = geminiQuotaRecords(online);
  return {
    ...analyseQuotaClient({ apiKey: geminiApiKey, records, startedAtMs, runMs, steadyStartMs, requestsPerMinute }),
    requestsPerMinute,
    windowMs: 60_000,
    quotaScope: geminiQuotaScope,
    latencyMs,
    model: geminiModel,
    wireModel: online[0]?.model ?? 'none called',
    size: geminiSize,
    maxConcurrency: engineMaxConcurrency,
    tasksSubmitted: engineTaskCount,
    calls: online.length,
    rateLimited: online.filter((call) => call.httpStatus === 429).length,
    otherReplies,
    billedCalls: round.fake.billedCount(),
    tasksCompleted: counts.completed,
    imageRows,
    statusCounts: Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0)),
  };
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
  let gemini: GeminiRound | undefined;

  try {
    gemini = await prepareGeminiRound();
    await fleet.submitJob({
      mode: 'studio',
      provider: httpBenchProviderId,
      model: httpBenchModelId,
      batchSize: 1,
      items: [{ referenceAssetIds: [], prompts: [{ text: 'quota utilisation prompt', count: engineTaskCount }] }],
    });
    console.log(
      `quota utilisation: N = ${requestsPerMinute}/min, ${runMs / 1000} s; Gemini round (real provider → Gemini fake, L = ${latencyMs} ms) beside the generic round (engine and naive client, one key each, L = ${latencyMs} ± ${latencyJitterMs} ms)`,
    );

    const startedAtMs = Date.now();
    gemini.fleet.start();
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
      console.log(progressLine(server, gemini.fake, startedAtMs));
    }
    stopNaive.abort();
    const [, , geminiFigures] = await Promise.all([naiveRun, fleet.stop(), finishGeminiRound(gemini, startedAtMs)]);

    const analyse = (apiKey: string) => analyseQuotaClient({ apiKey, records: server.records, startedAtMs, runMs, steadyStartMs, requestsPerMinute });
    await reportScenarioResult({
      scenario: 'quota-utilisation',
      requestsPerMinute,
      latencyMs,
      latencyJitterMs,
      runMs,
      engine: { ...analyse(engineApiKey), maxConcurrency: engineMaxConcurrency, tasksSubmitted: engineTaskCount },
      naive: { ...analyse(naiveApiKey), loops: naiveLoops, pauseMs: naivePauseMs, rateLimitWaitMs: naiveRateLimitWaitMs },
      gemini: geminiFigures,
      goalRatio,
      goalRejectedShare,
      uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    });
  } finally {
    stopNaive.abort();
    await fleet.stop();
    if (gemini) {
      await gemini.fleet.stop();
      await gemini.fake.close();
      await gemini.removeDataDir();
    }
    await server.close();
    await dataDir.remove();
  }
}

await main();
