export const taskStatuses = ['queued', 'running', 'completed', 'failed', 'blocked', 'canceled'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const terminalTaskStatuses: readonly TaskStatus[] = ['completed', 'failed', 'blocked', 'canceled'];

export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return terminalTaskStatuses.includes(status);
}

/** One provider call as planned: everything needed to run it, nothing about its progress. */
export interface PlannedTask {
  /**
   * Stable identity: a hash of (provider, model, prompt, references' SHA-256s, mask, seeds, params).
   * Re-running a plan skips keys that already completed; "regenerate" makes a new key.
   */
  key: string;
  /** Position within the job, 0-based; tasks run in this order within a job. */
  ordinal: number;
  /** The prompt text sent to the provider (templates already applied). */
  prompt: string;
  /** Identifier of the prompt this task came from (file name, studio prompt id), for grouping results. */
  promptId: string;
  /** Reference asset ids, in the order sent to the provider. */
  referenceAssetIds: string[];
  /** Mask asset id (inpainting), if any. */
  maskAssetId: string | undefined;
  /** Images this call produces (≤ the model's maxImagesPerCall). */
  imageCount: number;
  /** Seed of the first image; image i gets seed + i. Undefined when the provider has no seeds. */
  seed: number | undefined;
  /** Studio set this task belongs to (sets of 1/2/4), 0-based within its prompt. */
  setIndex: number;
  /** Variables captured from paths (CLI) or labels, used by export templates. */
  variables: Record<string, string>;
  /** Estimated cost of this call in USD. */
  estimatedCostUsd: number;
}

/** A task as stored: the plan plus its progress. */
export interface Task extends PlannedTask {
  id: string;
  jobId: string;
  status: TaskStatus;
  /** Attempts that counted against the retry limit (rate-limited tries do not count). */
  attempts: number;
  /** Times a worker died holding this task (lease expired); too many fails it as a poison task. */
  leaseExpirations: number;
  /** Last failure: class and message. */
  lastErrorCode: string | undefined;
  lastErrorMessage: string | undefined;
  /** Earliest time the task may be claimed again (backoff, retry delay), epoch ms. */
  availableAtMs: number;
  /** Remote job handle (RunPod id, Gemini batch name) saved before waiting on it. */
  remoteHandle: string | undefined;
  /**
   * True for a batch-lane task whose remote request failed and whose job retries failed batch
   * requests online: its attempts call the provider directly under the online limits. Absent otherwise.
   */
  runOnline?: true | undefined;
  costUsd: number | undefined;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | undefined;
  /** When the latest attempt was claimed, epoch ms; undefined until the first claim. */
  startedAtMs?: number | undefined;
}
