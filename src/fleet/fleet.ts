/**
 * The composed application: store, blobs, providers and engine wired together by `createFleet`.
 * Shells (web server, worker, CLI) receive a Fleet and call operations with it
 * (`operation(input, fleet)`); they never build adapters themselves. Everything here is typed by
 * ports, so no shell sees which store or blob adapter is behind it (docs/decisions/0031).
 */
import type { LearnedRateStatus } from '../operations/learned-rate-status.js';
import type { Config } from '../config/config.js';
import type { Asset, AssetFileFacts } from '../core/asset.js';
import type { Job } from '../core/job.js';
import type { Logger } from '../core/logger.js';
import type { EngineError } from '../engine/engine.js';
import type { JobStatusReport } from '../engine/job-status.js';
import type { SubmitJobOptions, SubmitJobResult } from '../operations/submit-job.js';
import type { UpgradeJobInput, UpgradeJobResult } from '../operations/upgrade-job.js';
import type { EngineSignals, OperationDependencies, WebhookSignals } from '../operations/operation-dependencies.js';
import type { ReclaimDeadLeasesResult } from '../operations/reclaim-dead-leases.js';
import type { SendTestWebhookInput, SendTestWebhookResult } from '../operations/send-test-webhook.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { StoreSignals } from '../engine/ports.js';

export interface ProviderHealth {
  id: string;
  displayName: string;
  /** True when the provider has what it needs to run (e.g. a key); never exposes the key itself. */
  configured: boolean;
  /** Why the provider or one of its models is paused, if it is. */
  pausedReason: string | undefined;
  models: string[];
}

export interface HealthReport {
  /** `degraded` when the database is unreachable, the disk is (nearly) full, or the engine failed in the last `engineErrorWindowMs`. */
  status: 'ok' | 'degraded';
  version: string;
  /** Seconds since this process started the fleet. */
  uptimeSeconds: number;
  /** This process's data directory (with Postgres and S3 configured it holds only temporary files and caches). */
  dataDir: string;
  /** `unavailable` when the store did not answer the check's read. */
  database: 'ok' | 'unavailable';
  /** Which store this process uses and whether it answered (never a password). */
  store: StoreHealth;
  /** Which blob store this process uses (never a credential). */
  blobs: BlobHealth;
  /**
   * Space on the file system of the data directory, checked when shared state is kept there (SQLite
   * or file blobs); `unknown` when it cannot be read or nothing shared is on this disk (Postgres and S3).
   */
  disk: DiskHealth;
  engine: {
    running: boolean;
    inFlight: number;
    /** The engine's own latest failures (claiming work, running a task), newest last; at most 5. */
    lastErrors: Array<{ at: string; message: string }>;
  };
  /** Ids of the providers (or `provider:model` scopes) paused now, e.g. a refused key or an exhausted daily quota. */
  pausedProviders: string[];
  providers: ProviderHealth[];
}

/** The store backend: the SQLite file, or the Postgres server and database. */
export type StoreHealth =
  | {
      kind: 'sqlite';
      /** Absolute path of the database file. */
      path: string;
      /** Whether the check's read succeeded. */
      reachable: boolean;
    }
  | {
      kind: 'postgres';
      /** Host (and port when given) of the server. */
      host: string;
      /** Database name; empty when the URL names none. */
      database: string;
      /** Whether the check's read succeeded. */
      reachable: boolean;
    };

/** The blob backend: a directory, or an S3-compatible bucket. */
export type BlobHealth =
  | {
      kind: 'files';
      /** Absolute directory of the stored files. */
      directory: string;
    }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix every blob is stored under: empty or ending with "/". */
      prefix: string;
      /** The S3 endpoint URL (no credentials). */
      endpoint: string;
    };

/** Free space of the data directory's file system. */
export interface DiskHealth {
  /** `full` below `diskFullBytes`, `low` below `diskLowBytes`; `full` makes the report degraded. */
  status: 'ok' | 'low' | 'full' | 'unknown';
  /** Bytes available to this process; undefined when unknown. */
  freeBytes: number | undefined;
  /** Size of the file system in bytes; undefined when unknown. */
  totalBytes: number | undefined;
}

/** Free space below which the disk counts as full (writes of images and the database will fail soon), in bytes: 64 MiB. */
export const diskFullBytes = 64 * 1024 * 1024;
/** Free space below which the disk counts as low, in bytes: 1 GiB. */
export const diskLowBytes = 1024 * 1024 * 1024;
/** An engine failure this recent makes the report degraded, in ms: 60 s. */
export const engineErrorWindowMs = 60_000;

/** The engine of this process, as the fleet exposes it (the `Engine` class satisfies it). */
export interface RunningEngine extends EngineSignals {
  /** Names this process in leases and logs (`host:pid:suffix`). */
  readonly workerId: string;
  readonly isRunning: boolean;
  /** Provider calls in flight in this process. */
  readonly inFlightCount: number;
  /** Tasks submitting to or waiting on a remote job in this process. */
  readonly remoteWaitCount: number;
  /** The engine's own latest failures, newest last. */
  readonly recentErrors: ReadonlyArray<EngineError>;
  pauseJob(jobId: string, reason?: string): Promise<Job>;
  /** Resumes a paused job and wakes the engine. */
  resumeJob(jobId: string): Promise<Job>;
  /** Requeues a job's failed tasks and wakes the engine; returns how many. */
  retryFailed(jobId: string): Promise<number>;
  /** Stops claiming; in-flight calls get `graceMs` (default the configured grace) before they are aborted and released. */
  stop(graceMs?: number): Promise<void>;
}

/** The webhook delivery worker of this process (started and stopped with the engine). */
export interface WebhookDeliveryWorker extends WebhookSignals {
  /** Stops polling; attempts in flight are given back and sent again by the next process. */
  stop(): Promise<void>;
}

/** The composed application, typed by ports: what every shell receives. */
export interface Fleet extends FleetLifecycle, OperationDependencies {
  /** The registry itself (the RunPod worker serves from it); operations see it as a `ProviderDirectory`. */
  readonly providers: ProviderRegistry;
  readonly engine: RunningEngine;
  readonly webhookDeliverer: WebhookDeliveryWorker;
  /**
   * Wake-ups when other processes sharing the store commit events (Postgres LISTEN/NOTIFY), for
   * live readers such as the SSE fan-out; undefined with SQLite, where readers poll.
   */
  readonly storeSignals?: StoreSignals | undefined;
  /** Validates, plans and creates a job (or only plans, with `dryRun`), then wakes the engine. */
  submitJob(input: unknown, options?: SubmitJobOptions): Promise<SubmitJobResult>;
  /** Stores a reference image (deduped by content). */
  importAsset(bytes: Uint8Array, originalName: string): Promise<Asset>;
  /** Stores the reference image in a file (an upload streamed to disk); `created` false when the same stored bytes existed. */
  importAssetFile(filePath: string, originalName: string, facts?: AssetFileFacts): Promise<{ asset: Asset; created: boolean }>;
  /** Counts (in images), progress, rate, ETA, cost and current errors of a job (the `jobStatus` operation). */
  jobStatus(jobId: string): Promise<JobStatusReport>;
  /** What the engine learned of a limit key's rate (`…_RPM=auto`); undefined for a fixed rate or before the first call. */
  learnedRate(limitKey: string): Promise<LearnedRateStatus | undefined>;
  /** Re-generates a job's completed images at a larger size, as a new job (the CLI's `upgrade`). */
  upgradeJob(input: UpgradeJobInput, options?: { dryRun?: boolean }): Promise<UpgradeJobResult>;
  /**
   * Takes back at once the tasks leased by processes of this machine that no longer exist (a CLI
   * killed with kill -9), instead of waiting for their leases to expire. Counts as a worker death.
   */
  reclaimDeadLeases(): Promise<ReclaimDeadLeasesResult>;
  /** Queues a signed `webhook.test` delivery to the given URL or the server-wide one (the `sendTestWebhook` operation). */
  sendTestWebhook(input: SendTestWebhookInput): Promise<SendTestWebhookResult>;
}

export interface FleetLifecycle {
  readonly config: Config;
  readonly logger: Logger;
  /** Starts the engine loop (claiming and running tasks). Idempotent. */
  start(): void;
  /**
   * Graceful stop: no new claims; in-flight calls get `config.engine.shutdownGraceMs` to finish,
   * then are aborted and their leases released (not failed); then the database closes.
   */
  stop(): Promise<void>;
  health(): Promise<HealthReport>;
}
