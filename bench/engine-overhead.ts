/**
 * Benchmark 1: engine overhead. Tasks per second end to end through the durable queue (submit →
 * claim → provider → PNG + thumbnail written atomically → fenced completion) with a provider that
 * answers at once, the real SQLite store and real file blobs in a temp data directory; plus how
 * fast a 20,000-task automatic spec is planned (dry run). Run by `npm run bench` in its own process.
 */
import { createHash, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet, type Fleet } from '../src/fleet/create-fleet.js';
import { runDurableFloorRound, type DurableFloorRound } from './support/durable-floor.js';
import { createInstantProvider, instantModelId, instantProviderId } from './support/instant-provider.js';
import { watchJobEnds } from './support/job-end-watcher.js';
import { reportScenarioResult, type EngineOverheadResult, type EngineOverheadRound } from './support/scenario-results.js';
import { encodeSmallPng, smallPngSidePixels } from './support/small-png.js';
import { mainThreadCpuMs } from './support/main-thread-cpu.js';
import { formatThreadCpuPerTask, threadCpuMsByKind } from './support/thread-cpu.js';
import { median } from './support/statistics.js';
import { makeTempDataDir } from './support/temp-data-dir.js';
import { sqliteDatabaseOf } from '../test/support/sqlite-database-of.js';

const roundCount = 3;
const tasksPerRound = 2_000;
/** An untimed first round, so the timed ones do not pay for JIT compilation and first-use setup. */
const warmupTasks = 200;
/** The default of IMAGEFLEET_MAX_IN_FLIGHT, and the provider's concurrency cap to match. */
const maxInFlight = 16;
const planningTaskCount = 20_000;
const planningRuns = 3;
/** A round that takes longer than this is a hang, not a slow machine. */
const roundTimeoutMs = 120_000;
const goalTasksPerSecond = 600;
/** Issue 20: the engine's CPU per task (all threads) within this multiple of the durable floor's. */
const goalCpuRatioToFloor = 1.5;
/** `--skip-planning`: only the engine and floor rounds (for profiling runs). */
const skipPlanning = process.argv.includes('--skip-planning');
/** `--engine-only`: no floor rounds either, so a `--cpu-prof` profile shows the engine alone. */
const engineOnly = process.argv.includes('--engine-only');

async function openBenchFleet(dataDir: string, png: Uint8Array): Promise<Fleet> {
  const config = loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_MAX_IN_FLIGHT: String(maxInFlight), IMAGEFLEET_LOG_LEVEL: 'silent' });
  return createFleet(config, {
    extraProviders: [createInstantProvider(png)],
    extraLimits: { [instantProviderId]: { requestsPerMinute: 0, maxConcurrency: maxInFlight, cooldownMs: 0 } },
  });
}

/** A studio job of `taskCount` one-image calls (batch size 1, at most 1,000 images per prompt). */
function studioSpec(taskCount: number): unknown {
  const prompts: Array<{ text: string; count: number }> = [];
  for (let remaining = taskCount, index = 0; remaining > 0; index += 1) {
    const count = Math.min(1_000, remaining);
    prompts.push({ text: `engine overhead prompt ${index}`, count });
    remaining -= count;
  }
  return { mode: 'studio', provider: instantProviderId, model: instantModelId, batchSize: 1, items: [{ referenceAssetIds: [], prompts }] };
}

async function runRound(taskCount: number, png: Uint8Array): Promise<EngineOverheadRound> {
  const dataDir = await makeTempDataDir('overhead');
  const fleet = await openBenchFleet(dataDir.directory, png);
  const watcher = watchJobEnds(fleet);
  try {
    fleet.start();
    const loadAverageAtStart = loadavg()[0] ?? 0;
    const cpuAtStart = process.cpuUsage();
    const eventLoopAtStart = performance.eventLoopUtilization();
    const mainThreadCpuAtStartMs = mainThreadCpuMs();
    const threadCpuAtStart = threadCpuMsByKind();
    const startedAt = performance.now();
    const submitted = await fleet.submitJob(studioSpec(taskCount));
    const submittedAt = performance.now();
    const jobId = submitted.job?.id;
    if (!jobId) throw new Error('submitJob created no job');
    const job = await watcher.waitFor(jobId, roundTimeoutMs);
    const endedAt = performance.now();
    const cpu = process.cpuUsage(cpuAtStart);
    const eventLoop = performance.eventLoopUtilization(eventLoopAtStart);
    const mainThreadCpuAtEndMs = mainThreadCpuMs();
    console.log(`engine overhead: engine CPU by thread: ${formatThreadCpuPerTask(threadCpuAtStart, threadCpuMsByKind(), taskCount)}`);

    const counts = await fleet.store.jobs.taskCounts(jobId);
    const images = sqliteDatabaseOf(fleet).sqlite.prepare('SELECT COUNT(*) FROM images WHERE job_id = ?').pluck().get(jobId) as number;
    if (job.status !== 'completed' || counts.completed !== taskCount || images !== taskCount) {
      throw new Error(`Round did not complete cleanly: job ${job.status}, ${counts.completed}/${taskCount} tasks completed, ${images} images.`);
    }
    const totalMs = endedAt - startedAt;
    const mainThreadCpuPerTaskMs = mainThreadCpuAtStartMs === undefined || mainThreadCpuAtEndMs === undefined ? undefined : (mainThreadCpuAtEndMs - mainThreadCpuAtStartMs) / taskCount;
    return {
      tasks: taskCount,
      totalMs,
      submitMs: submittedAt - startedAt,
      tasksPerSecond: taskCount / (totalMs / 1000),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / totalMs) * 100,
      eventLoopUtilisation: eventLoop.utilization,
      mainThreadCpuPerTaskMs,
      processCpuPerTaskMs: (cpu.user + cpu.system) / 1000 / taskCount,
      loadAverageAtStart,
    };
  } finally {
    watcher.dispose();
    await fleet.stop();
    await dataDir.remove();
  }
}

/**
 * Plans a 20,000-task automatic job as a dry run: 20,000 reference images × 1 variation, the most
 * references one automatic job may list. The asset rows are inserted directly (a dry run reads only
 * their ids and hashes), which keeps the setup to seconds instead of decoding 20,000 uploads.
 */
async function measurePlanning(png: Uint8Array): Promise<EngineOverheadResult['planning']> {
  const dataDir = await makeTempDataDir('planning');
  const fleet = await openBenchFleet(dataDir.directory, png);
  try {
    const referenceAssetIds: string[] = [];
    for (let index = 0; index < planningTaskCount; index += 1) {
      const bytes = Buffer.from(`planning reference ${index}`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const asset = await fleet.store.assets.upsertAsset({
        id: randomUUID(),
        sha256,
        mediaType: 'image/png',
        width: smallPngSidePixels,
        height: smallPngSidePixels,
        byteSize: bytes.byteLength,
        originalName: `reference-${index}.png`,
        blobKey: `assets/${sha256.slice(0, 2)}/${sha256}.png`,
        createdAtMs: Date.now(),
      });
      referenceAssetIds.push(asset.id);
    }
    const spec = { mode: 'automatic', provider: instantProviderId, model: instantModelId, referenceAssetIds, prompt: 'a product photo on a clean studio background', variationsPerImage: 1 };
    const runsMs: number[] = [];
    for (let run = 0; run < planningRuns; run += 1) {
      const startedAt = performance.now();
      const result = await fleet.submitJob(spec, { dryRun: true });
      runsMs.push(performance.now() - startedAt);
      if (result.plan.tasks.length !== planningTaskCount) throw new Error(`Dry run planned ${result.plan.tasks.length} tasks, expected ${planningTaskCount}.`);
    }
    const medianMs = median(runsMs);
    return { tasks: planningTaskCount, referenceImages: planningTaskCount, runsMs, medianMs, tasksPerSecond: planningTaskCount / (medianMs / 1000) };
  } finally {
    await fleet.stop();
    await dataDir.remove();
  }
}

async function main(): Promise<void> {
  const png = await encodeSmallPng();
  console.log(`engine overhead: warm-up round of ${warmupTasks} tasks`);
  await runRound(warmupTasks, png);
  if (!engineOnly) await runDurableFloorRound(warmupTasks, maxInFlight, png, studioSpec);
  const rounds: EngineOverheadRound[] = [];
  const floorRounds: DurableFloorRound[] = [];
  for (let round = 1; round <= roundCount; round += 1) {
    // Engine and floor alternate, so both see the same stretch of a noisy machine.
    const result = await runRound(tasksPerRound, png);
    rounds.push(result);
    console.log(
      `engine overhead: round ${round}/${roundCount}: ${tasksPerRound} tasks in ${(result.totalMs / 1000).toFixed(2)} s = ${result.tasksPerSecond.toFixed(0)} tasks/s ` +
        `(submit ${result.submitMs.toFixed(0)} ms, CPU ${result.cpuPercent.toFixed(0)}%, event loop busy ${(result.eventLoopUtilisation * 100).toFixed(0)}%, CPU ${result.mainThreadCpuPerTaskMs?.toFixed(2) ?? '?'} main / ${result.processCpuPerTaskMs.toFixed(2)} all ms/task, load ${result.loadAverageAtStart.toFixed(2)})`,
    );
    if (engineOnly) continue;
    const floor = await runDurableFloorRound(tasksPerRound, maxInFlight, png, studioSpec);
    floorRounds.push(floor);
    console.log(
      `engine overhead: floor ${round}/${roundCount}: ${floor.tasksPerSecond.toFixed(0)} tasks/s (CPU ${floor.cpuPercent.toFixed(0)}%, CPU ${floor.mainThreadCpuPerTaskMs?.toFixed(2) ?? '?'} main / ${floor.processCpuPerTaskMs.toFixed(2)} all ms/task); ` +
        `engine ÷ floor: CPU/task ${result.mainThreadCpuPerTaskMs !== undefined && floor.mainThreadCpuPerTaskMs !== undefined ? (result.mainThreadCpuPerTaskMs / floor.mainThreadCpuPerTaskMs).toFixed(2) : '?'} main / ${(result.processCpuPerTaskMs / floor.processCpuPerTaskMs).toFixed(2)} all, tasks/s ${(result.tasksPerSecond / floor.tasksPerSecond).toFixed(2)}`,
    );
  }
  let planning: EngineOverheadResult['planning'] = { tasks: 0, referenceImages: 0, runsMs: [], medianMs: 0, tasksPerSecond: 0 };
  if (!skipPlanning && !engineOnly) {
    console.log(`engine overhead: planning a ${planningTaskCount}-task automatic spec (dry run, ${planningRuns} runs)`);
    planning = await measurePlanning(png);
    console.log(`engine overhead: planning median ${planning.medianMs.toFixed(0)} ms = ${planning.tasksPerSecond.toFixed(0)} tasks/s`);
  }

  await reportScenarioResult({
    scenario: 'engine-overhead',
    warmupTasks,
    tasksPerRound,
    maxInFlight,
    maxConcurrency: maxInFlight,
    outputSidePixels: smallPngSidePixels,
    rounds,
    medianTasksPerSecond: median(rounds.map((round) => round.tasksPerSecond)),
    goalTasksPerSecond,
    planning,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    floorRounds,
    // `--engine-only` runs no floor rounds: no floor figure rather than a median of nothing.
    ...(floorRounds.length === 0 ? {} : { medianFloorTasksPerSecond: median(floorRounds.map((round) => round.tasksPerSecond)) }),
    goalCpuRatioToFloor,
  });
}

await main();
