/**
 * What operations (one use case per file in this folder) may use, typed by ports only: a second
 * store or blob adapter, or a test, supplies the same shape (DESIGN §3). Each operation takes a
 * `Pick<OperationDependencies, …>` of exactly what it needs; the `Fleet` that `createFleet` returns
 * satisfies the whole interface, so a shell calls `operation(input, fleet)` (docs/decisions/0031).
 */
import type { Config } from '../config/config.js';
import type { Asset, AssetFileFacts } from '../core/asset.js';
import type { Job, Lane } from '../core/job.js';
import type { Logger } from '../core/logger.js';
import type { DomainEventListener } from '../engine/ports.js';
import type { BlobStore, Clock, ProviderLimits, Store, TaskCancellation } from '../engine/ports.js';
import type { ImageProvider } from '../providers/contract.js';

/**
 * The running engine of this process as operations see it: a signal that work was added, its
 * in-process events, and the two controls that must also abort calls running here (the store
 * alone cannot reach an in-flight provider call).
 */
export interface EngineSignals {
  /** Work was added or unblocked: claim now instead of at the next idle poll. */
  wake(): void;
  /** In-process events (task progress, finished jobs, paused providers); returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void;
  /** Cancels the job and aborts its calls running in this process at once. */
  cancelJob(jobId: string): Promise<Job>;
  /** Cancels one task and aborts its call when it runs in this process. */
  cancelTask(taskId: string): Promise<TaskCancellation>;
}

/** The providers of this fleet, by id (the provider registry satisfies it). */
export interface ProviderDirectory {
  /** Every registered provider, in registration order. */
  list(): readonly ImageProvider[];
  /** The provider with this id; `invalid_input` naming the known ids when there is none. */
  get(providerId: string): ImageProvider;
  has(providerId: string): boolean;
}

/** Stores reference images (deduped by content; re-encoded, metadata stripped). */
export interface AssetImport {
  /** Stores the bytes as a reference image. */
  importAsset(bytes: Uint8Array, originalName: string): Promise<Asset>;
  /** Stores the image in a local file (an upload streamed to disk); `created` false when the same stored bytes existed. `facts`: what the caller knows already. */
  importAssetFile(filePath: string, originalName: string, facts?: AssetFileFacts): Promise<{ asset: Asset; created: boolean }>;
}

/** Signed, expiring links to stored reference images, for remote workers. */
export interface ReferenceLinkSigner {
  /** A link to the image with this SHA-256, valid for `ttlMs`; undefined when no public URL is configured. */
  urlFor(sha256: string, ttlMs: number, nowMs: number): string | undefined;
  /** Whether `signature` is this server's for the image and expiry (epoch seconds), and the expiry has not passed. */
  verify(sha256: string, expiresAtSeconds: number, signature: string, nowMs: number): boolean;
}

/** The webhook delivery worker as operations see it. */
export interface WebhookSignals {
  /** A delivery was queued: look at the outbox now instead of at the next poll. */
  wake(): void;
}

export interface OperationDependencies extends AssetImport {
  /** Every repository of the store (SQLite or Postgres), behind its port. */
  readonly store: Store;
  /** Reference images and outputs, by key. */
  readonly blobs: BlobStore;
  /** The fleet's time source; operations never read `Date.now` themselves, so tests can move time. */
  readonly clock: Clock;
  readonly providers: ProviderDirectory;
  /** The limits in force for a provider's lane (`online` when no lane is given). */
  readonly limitsFor: (providerId: string, lane?: Lane) => ProviderLimits;
  readonly engine: EngineSignals;
  readonly webhookDeliverer: WebhookSignals;
  readonly referenceLinks: ReferenceLinkSigner;
  /** The settings this fleet was created with (operations read the pieces they need). */
  readonly config: Config;
  readonly logger: Logger;
}
