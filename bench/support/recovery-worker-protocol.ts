/**
 * The contract between the recovery benchmark and its worker processes: the environment variables
 * the worker reads (besides the IMAGEFLEET_* configuration) and the JSON lines it prints.
 */

export const recoveryWorkerVariables = {
  /** Base URL of the recording server the worker's provider calls. */
  providerUrl: 'BENCH_PROVIDER_URL',
  /** The job whose end the worker reports. */
  jobId: 'BENCH_JOB_ID',
  /** The provider's concurrency cap (all workers together). */
  providerConcurrency: 'BENCH_PROVIDER_CONCURRENCY',
  /** The worker exits by itself after this long, ms, in case nobody stops it. */
  maxLifetimeMs: 'BENCH_WORKER_MAX_LIFETIME_MS',
} as const;

/** API key the recovery provider sends (the recording server does not check it). */
export const recoveryApiKey = 'recovery-key';

/** One line of the worker's stdout. */
export type RecoveryWorkerMessage = { type: 'ready' } | { type: 'job-ended'; status: string };
