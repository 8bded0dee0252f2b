/**
 * What each benchmark scenario hands back to `run-all` (as JSON through a file, since every
 * scenario runs in its own process) and what the summary and docs/benchmarks.md are built from.
 */
import { writeFile } from 'node:fs/promises';
import type { DurableFloorRound } from './durable-floor.js';

/** Environment variable naming the file a scenario writes its result to (set by run-all). */
export const resultFileVariable = 'BENCH_RESULT_FILE';

export interface EngineOverheadRound {
  tasks: number;
  /** From just before `submitJob` to the job's completion, ms. */
  totalMs: number;
  /** The `submitJob` call alone (validate, plan, insert every task in one transaction), ms. */
  submitMs: number;
  tasksPerSecond: number;
  /** Process CPU time (user + system, all threads) ÷ wall time over the round; 200% = both cores of a 2-core machine. */
  cpuPercent: number;
  /** Share of the round the main thread (JavaScript, SQLite calls) was busy, 0..1; near 1 means it is the bottleneck. */
  eventLoopUtilisation: number;
  /** CPU time of the main thread per task, ms (undefined without /proc); unlike wall time, it does not grow while other processes hold the core. */
  mainThreadCpuPerTaskMs: number | undefined;
  /** CPU time of all the process's threads (main thread, libuv pool, sharp's) per task, ms. */
  processCpuPerTaskMs: number;
  /** 1-minute load average when the round started. */
  loadAverageAtStart: number;
}

export interface EngineOverheadResult {
  scenario: 'engine-overhead';
  warmupTasks: number;
  tasksPerRound: number;
  maxInFlight: number;
  maxConcurrency: number;
  outputSidePixels: number;
  rounds: EngineOverheadRound[];
  medianTasksPerSecond: number;
  goalTasksPerSecond: number;
  planning: {
    tasks: number;
    referenceImages: number;
    runsMs: number[];
    medianMs: number;
    tasksPerSecond: number;
  };
  uvThreadpoolSize: string | undefined;
  /**
   * The durable floor (bench/support/durable-floor.ts), one round after each engine round in the
   * same process: only writing output + thumbnail and one completion transaction per task.
   * Absent in results from before issue 20.
   */
  floorRounds?: DurableFloorRound[];
  /** Median floor tasks/s. */
  medianFloorTasksPerSecond?: number;
  /** Goal for engine ÷ floor CPU per task (all threads): at most this. */
  goalCpuRatioToFloor?: number;
}

/** One client's figures over one measurement window. */
export interface QuotaWindowFigures {
  /** Window start and end relative to the common start, ms (arrival times in [start, end)). */
  startMs: number;
  endMs: number;
  requests: number;
  accepted: number;
  rejected: number;
  acceptedPerMinute: number;
  /** acceptedPerMinute ÷ N. */
  ratio: number;
  /** rejected ÷ requests (0 when there were none). */
  rejectedShare: number;
}

export interface QuotaClientFigures {
  apiKey: string;
  steady: QuotaWindowFigures;
  wholeRun: QuotaWindowFigures;
  /** Accepted requests in each whole minute since the common start. */
  acceptedPerMinute: number[];
  /**
   * 60 s ÷ the mean time between an accepted request and the N-th accepted request after it: the
   * long-run share of the quota, insensitive to where bursts fall relative to minute boundaries.
   */
  sustainedRatio: number | undefined;
  /** Requests that arrived after the client had received a 429 and before its announced delay was over. */
  earlyRequests: number;
  /** Most requests (accepted or not) arriving within any 10 s: how bursty the client is. */
  peakRequestsPerTenSeconds: number;
}

/**
 * The Gemini round: the real `gemini` provider (`@google/genai`) through the real engine against
 * the fake Gemini server with a per-minute quota. Quota figures are over the same windows as the
 * generic round's; the accounting (calls, 429s, billing, tasks) covers the whole scenario,
 * including calls that finished during the engine's stop.
 */
export interface GeminiQuotaRound extends QuotaClientFigures {
  /** The fake's quota: N accepted generateContent calls in any window of `windowMs`. */
  requestsPerMinute: number;
  windowMs: number;
  /** `project` (Google's way: every key of the project shares the window) or `key`. */
  quotaScope: 'project' | 'key';
  /** The fake's wait before deciding and answering each call, ms (no jitter). */
  latencyMs: number;
  /** The friendly model name the job asked for, and the wire id the SDK sent. */
  model: string;
  wireModel: string;
  size: string;
  /** `GEMINI_CONCURRENCY` = `IMAGEFLEET_MAX_IN_FLIGHT`. */
  maxConcurrency: number;
  tasksSubmitted: number;
  /** Online generateContent calls the fake received. */
  calls: number;
  /** Calls it answered with the per-minute 429. */
  rateLimited: number;
  /** Calls answered anything else than an image or the per-minute 429 (expected 0). */
  otherReplies: number;
  /** Calls that returned an image: what the account is charged for. */
  billedCalls: number;
  /** Tasks `completed` in the store after the engine stopped, and their image rows. */
  tasksCompleted: number;
  imageRows: number;
  /** Task count by status after the engine stopped (the rest of the job stays queued). */
  statusCounts: Record<string, number>;
}

export interface QuotaUtilisationResult {
  scenario: 'quota-utilisation';
  /** The generic round's quota, latency and run (the Gemini round runs over the same run). */
  requestsPerMinute: number;
  latencyMs: number;
  latencyJitterMs: number;
  runMs: number;
  engine: QuotaClientFigures & { maxConcurrency: number; tasksSubmitted: number };
  naive: QuotaClientFigures & { loops: number; pauseMs: number; rateLimitWaitMs: number };
  gemini: GeminiQuotaRound;
  goalRatio: number;
  goalRejectedShare: number;
  uvThreadpoolSize: string | undefined;
}

export interface RecoveryKill {
  /** Since the first worker started, ms. */
  atMs: number;
  /** Provider calls recorded when the kill was triggered. */
  afterCalls: number;
  /** Tasks with a call before the kill and a completion after it. */
  tasksInFlight: number;
  /** From the kill to the completion of the last task that was in flight at it, ms. */
  recoveredWithinMs: number | undefined;
}

export interface RecoveryResult {
  scenario: 'recovery';
  tasks: number;
  leaseMs: number;
  maxConcurrency: number;
  providerLatencyMs: { min: number; max: number };
  kills: RecoveryKill[];
  workersStarted: number;
  durationMs: number;
  statusCounts: Record<string, number>;
  tasksLost: number;
  /** Output files beyond a task's image count (plus files of unknown tasks). */
  duplicateOutputFiles: number;
  /** (task, index) pairs with more than one image row. */
  duplicateImageRows: number;
  /** Image rows whose file is missing. */
  missingOutputFiles: number;
  /** Temporary files left by writes a kill interrupted (not outputs: never referenced by a row). */
  leftoverTemporaryFiles: number;
  callsAfterCompletion: number;
  totalCalls: number;
  /** Calls beyond the first for each task. */
  repeatedCalls: number;
  tasksCalledMoreThanOnce: number;
  /** Tasks with a repeated call not explained by a kill: the previous call was not from a killed worker, or the repeat came from the same process. */
  unexplainedRepeats: number;
  /** The first few unexplained repeats, times relative to the first worker's start, for diagnosis. */
  unexplainedRepeatDetails: Array<{
    taskId: string;
    finishedAtMs: number | undefined;
    calls: Array<{ arrivalMs: number; respondedAtMs: number | undefined; callerPid: number | undefined }>;
  }>;
  outputsChecked: number;
  undecodableOutputs: number;
  undecodableThumbnails: number;
  uvThreadpoolSize: string | undefined;
}

export type ScenarioResult = EngineOverheadResult | QuotaUtilisationResult | RecoveryResult;

/** Hands the result to run-all when it started us, else prints it (a scenario run on its own). */
export async function reportScenarioResult(result: ScenarioResult): Promise<void> {
  const resultFile = process.env[resultFileVariable];
  if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}
