/**
 * Benchmark 3: recovery. A 500-task job runs in a worker process whose provider calls a recording
 * HTTP server; the worker is killed with SIGKILL five times at spread-out random moments and
 * restarted at once each time; the last one finishes the job. Then the store, the files and the
 * server's record are audited: nothing lost, nothing duplicated, no call repeated after a task's
 * completion was committed, every output decodes. Run by `npm run bench` in its own process.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/fleet/create-fleet.js';
import { systemClock } from '../src/engine/system-clock.js';
import { createHttpBenchProvider, httpBenchModelId, httpBenchProviderId } from './support/http-bench-provider.js';
import { auditRecovery, type KillMoment } from './support/recovery-audit.js';
import { recoveryApiKey, recoveryWorkerVariables } from './support/recovery-worker-protocol.js';
import { startRecordingServer } from './support/recording-server.js';
import { reportScenarioResult } from './support/scenario-results.js';
import { encodeSmallPng, smallPngSidePixels } from './support/small-png.js';
import { makeTempDataDir } from './support/temp-data-dir.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const taskCount = 500;
const killCount = 5;
/** Short, so a killed worker's tasks come back within seconds (the default is 30 s). */
const leaseMs = 2_000;
const providerConcurrency = 8;
const minLatencyMs = 50;
const maxLatencyMs = 150;
/**
 * Kills are triggered by progress (provider calls recorded), one in each fifth of 8–88% of the job,
 * at a random point of the middle three quarters of that band, so two kills are never back to back
 * and every phase of a run gets hit. A random 0–250 ms pause after the trigger makes the kill land
 * anywhere in a call, a file write or a commit.
 */
const killBandStartShare = 0.08;
const killBandShare = 0.16;
const killJitterMaxMs = 250;
/** Bounds on every wait: a stuck run fails instead of hanging. */
const callWaitTimeoutMs = 60_000;
const jobEndTimeoutMs = 120_000;
const workerStopTimeoutMs = 15_000;

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const workerScriptPath = fileURLToPath(new URL('./support/recovery-worker.ts', import.meta.url));

/** Call counts at which to kill, increasing, spread over the job. */
function killThresholds(): number[] {
  return Array.from({ length: killCount }, (_unused, index) => {
    const bandStart = killBandStartShare + index * killBandShare;
    const share = bandStart + killBandShare * (0.125 + Math.random() * 0.75);
    return Math.round(share * taskCount);
  });
}

/** The worker's environment: ours without any imagefleet or provider settings of the shell, plus the benchmark's. */
function workerEnvironment(dataDir: string, providerUrl: string, jobId: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (name.startsWith('IMAGEFLEET_') || name.startsWith('GEMINI_')) delete environment[name];
  }
  Object.assign(environment, {
    IMAGEFLEET_DATA_DIR: dataDir,
    IMAGEFLEET_LEASE_MS: String(leaseMs),
    IMAGEFLEET_MAX_IN_FLIGHT: String(providerConcurrency),
    IMAGEFLEET_LOG_LEVEL: 'silent',
    [recoveryWorkerVariables.providerUrl]: providerUrl,
    [recoveryWorkerVariables.jobId]: jobId,
    [recoveryWorkerVariables.providerConcurrency]: String(providerConcurrency),
  });
  return environment;
}

async function main(): Promise<void> {
  const png = await encodeSmallPng();
  const server = await startRecordingServer({ minLatencyMs, maxLatencyMs, png, pngSidePixels: smallPngSidePixels });
  const dataDir = await makeTempDataDir('recovery');
  const createRecordingProvider = () => createHttpBenchProvider({ baseUrl: server.baseUrl, apiKey: recoveryApiKey, typicalLatencyMs: (minLatencyMs + maxLatencyMs) / 2 });
  let worker: WorkerProcess | undefined;

  try {
    // The submitting process is not a worker: it opens its own fleet, submits, and closes it
    // before any worker starts (one SQLite connection per process).
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: dataDir.directory, IMAGEFLEET_LOG_LEVEL: 'silent' });
    const submitter = await createFleet(config, { extraProviders: [createRecordingProvider()] });
    const prompts = Array.from({ length: taskCount }, (_unused, index) => ({ text: `recovery task ${String(index).padStart(4, '0')}`, count: 1 }));
    const submitted = await submitter.submitJob({ mode: 'studio', provider: httpBenchProviderId, model: httpBenchModelId, batchSize: 1, items: [{ referenceAssetIds: [], prompts }] });
    await submitter.stop();
    const jobId = submitted.job?.id;
    if (!jobId) throw new Error('submitJob created no job');

    const environment = workerEnvironment(dataDir.directory, server.baseUrl, jobId);
    const startWorker = (): WorkerProcess => startWorkerProcess({ scriptPath: workerScriptPath, cwd: repositoryRoot, env: environment });
    const thresholds = killThresholds();
    console.log(`recovery: ${taskCount} tasks, lease ${leaseMs} ms, concurrency ${providerConcurrency}; SIGKILL after calls ${thresholds.join(', ')}`);

    const firstStartedAtMs = Date.now();
    let workersStarted = 1;
    worker = startWorker();
    const kills: KillMoment[] = [];
    for (const threshold of thresholds) {
      if (!(await server.waitForCallCount(threshold, callWaitTimeoutMs))) throw new Error(`No progress: ${server.calls.length} calls after ${callWaitTimeoutMs} ms waiting for ${threshold}.`);
      await systemClock.sleep(Math.random() * killJitterMaxMs);
      const atMs = Date.now();
      const afterCalls = server.calls.length;
      const workerPid = worker.child.pid;
      await worker.kill();
      kills.push({ atMs, afterCalls, workerPid });
      console.log(`recovery: SIGKILL worker ${kills.length}/${killCount} at ${((atMs - firstStartedAtMs) / 1000).toFixed(2)} s after ${afterCalls} calls; restarting`);
      worker = startWorker();
      workersStarted += 1;
    }
    const finalStatus = await Promise.race([worker.jobEnded, systemClock.sleep(jobEndTimeoutMs).then(() => 'timed out')]);
    const durationMs = Date.now() - firstStartedAtMs;
    console.log(`recovery: job ended (${finalStatus}) ${(durationMs / 1000).toFixed(2)} s after the first worker started`);
    await worker.stop(workerStopTimeoutMs);
    worker = undefined;

    // Audit with a fresh connection, after every worker has exited.
    const auditor = await createFleet(config, { extraProviders: [createRecordingProvider()] });
    try {
      const audit = await auditRecovery({ fleet: auditor, jobId, calls: server.calls, kills, firstStartedAtMs });
      await reportScenarioResult({
        scenario: 'recovery',
        tasks: taskCount,
        leaseMs,
        maxConcurrency: providerConcurrency,
        providerLatencyMs: { min: minLatencyMs, max: maxLatencyMs },
        workersStarted,
        durationMs,
        ...audit,
        uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
      });
    } finally {
      await auditor.stop();
    }
  } finally {
    await worker?.kill();
    await server.close();
    await dataDir.remove();
  }
}

await main();
