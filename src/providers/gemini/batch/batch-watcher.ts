/**
 * Follows one Batch API job for every task waiting on it in this process: at most one status
 * check per interval however many tasks poll (the interval grows 1.5× per check up to 10×), one
 * download of the result file when the job succeeds, then each task's own line. A task polling
 * after a restart simply gets a new watcher for the same batch: nothing is submitted again.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { GoogleGenAI } from '@google/genai';
import { isImagefleetError, type ImagefleetError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { providerError } from '../../contract.js';
import { apiErrorStatus } from '../map-gemini-error.js';
import { BatchResultFile } from './batch-result-file.js';

/** Where the batch stands, as far as its tasks care. */
export type BatchStatus =
  | { kind: 'pending'; state: string }
  | { kind: 'succeeded'; results: BatchResultFile }
  /** Ended without results: `state` is FAILED, CANCELLED or EXPIRED, or the batch no longer exists. */
  | { kind: 'ended'; state: string };

export interface BatchWatcherOptions {
  client: GoogleGenAI;
  logger: Logger;
  now: () => number;
  /** First wait between status checks, ms. */
  pollIntervalMs: number;
  /** Directory for downloaded result files. */
  workDirectory: string;
  /** Maps an SDK failure to a provider error. */
  mapError: (error: unknown, action: string, notFoundMeans: 'model' | 'resource') => ImagefleetError;
}

/** SDK job states (the REST BATCH_STATE_* mapped to JOB_STATE_*) that end a batch without results. */
const endedStates = new Set(['JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED']);
const succeededStates = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_PARTIALLY_SUCCEEDED']);
const intervalGrowth = 1.5;
const maxIntervalFactor = 10;
/** Status checks that failed transiently in a row before the poll itself reports the failure. */
const maxQuietCheckFailures = 5;

export class BatchWatcher {
  private status: BatchStatus = { kind: 'pending', state: 'JOB_STATE_PENDING' };
  private nextCheckAtMs = Number.NEGATIVE_INFINITY;
  private intervalMs: number;
  private checking: Promise<void> | undefined;
  private failedChecks = 0;
  /** Keys whose outcome this process has handed out; the result file goes once all are. */
  private readonly servedKeys = new Set<string>();
  /** Last time a task asked about this batch, epoch ms. */
  lastUsedAtMs: number;

  constructor(
    readonly batchName: string,
    private readonly options: BatchWatcherOptions,
  ) {
    this.intervalMs = options.pollIntervalMs;
    this.lastUsedAtMs = options.now();
  }

  /** The batch's status, checking with Google first when a check is due (one check shared by all callers). */
  async current(): Promise<BatchStatus> {
    this.lastUsedAtMs = this.options.now();
    if (this.status.kind === 'pending' && this.options.now() >= this.nextCheckAtMs) {
      this.checking ??= this.check().finally(() => {
        this.checking = undefined;
      });
      await this.checking;
    }
    return this.status;
  }

  /** Records that `key`'s outcome was handed out; deletes the result file once every key was. */
  async markServed(key: string): Promise<void> {
    this.servedKeys.add(key);
    const status = this.status;
    if (status.kind === 'succeeded' && status.results.keys.every((candidate) => this.servedKeys.has(candidate))) await status.results.remove();
  }

  /** Deletes the downloaded result file, if any (the watcher is being dropped). */
  async release(): Promise<void> {
    if (this.status.kind === 'succeeded') await this.status.results.remove();
  }

  /** True once nothing more will be read from this watcher's results. */
  get finished(): boolean {
    const status = this.status;
    return status.kind === 'ended' || (status.kind === 'succeeded' && status.results.keys.every((key) => this.servedKeys.has(key)));
  }

  private async check(): Promise<void> {
    const { client, logger } = this.options;
    try {
      const job = await client.batches.get({ name: this.batchName });
      const state = job.state ?? 'JOB_STATE_UNSPECIFIED';
      this.failedChecks = 0;
      if (endedStates.has(state)) {
        this.status = { kind: 'ended', state };
        logger.warn({ batch: this.batchName, state }, 'Gemini batch ended without results; its requests are resubmitted.');
        return;
      }
      if (succeededStates.has(state)) {
        const fileName = job.dest?.fileName;
        if (!fileName) {
          this.status = { kind: 'ended', state: `${state} without a result file` };
          return;
        }
        this.status = { kind: 'succeeded', results: await this.download(fileName) };
        logger.info({ batch: this.batchName, results: this.status.results.keys.length }, 'Gemini batch succeeded; results downloaded.');
        return;
      }
      this.status = { kind: 'pending', state };
      this.scheduleNextCheck();
    } catch (thrown) {
      if (apiErrorStatus(thrown) === 404) {
        this.status = { kind: 'ended', state: 'NOT_FOUND (the batch no longer exists)' };
        return;
      }
      const error = isImagefleetError(thrown) ? thrown : this.options.mapError(thrown, `checking batch ${this.batchName}`, 'resource');
      this.scheduleNextCheck();
      // A status check is not a paid request: transient failures only delay the answer, a few times.
      if (error.code === 'provider_rate_limited') return;
      this.failedChecks += 1;
      if (error.code === 'provider_transient' && this.failedChecks < maxQuietCheckFailures) {
        logger.warn({ batch: this.batchName, error: error.message }, 'Could not check a Gemini batch; trying again later.');
        return;
      }
      throw error;
    }
  }

  private scheduleNextCheck(): void {
    this.nextCheckAtMs = this.options.now() + this.intervalMs;
    this.intervalMs = Math.min(this.intervalMs * intervalGrowth, this.options.pollIntervalMs * maxIntervalFactor);
  }

  private async download(fileName: string): Promise<BatchResultFile> {
    await mkdir(this.options.workDirectory, { recursive: true });
    const downloadPath = path.join(this.options.workDirectory, `${this.batchName.replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${Date.now()}.jsonl`);
    try {
      await this.options.client.files.download({ file: fileName, downloadPath });
    } catch (error) {
      throw this.options.mapError(error, `downloading the results of batch ${this.batchName}`, 'resource');
    }
    try {
      return await BatchResultFile.index(downloadPath);
    } catch (error) {
      throw providerError('transient', `The results of batch ${this.batchName} could not be read (${error instanceof Error ? error.message : String(error)}).`);
    }
  }
}
