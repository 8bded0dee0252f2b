/**
 * Ports the engine depends on, one file per port under ./ports/. Adapters in src/store and
 * src/providers implement them; only `createFleet` wires concrete ones together. All methods are
 * async so a Postgres store can implement the same ports (DESIGN §9).
 */
export type { Clock } from './ports/clock.js';
export type { ProviderLimits, ProviderLimitPolicy, RequestStart, ClaimRequest, ClaimedTask, NewImageRecord, CompleteTaskInput, TaskSetback, SetbackInput, TaskOutcome, ProviderPause, ProviderStateView, RecoveryResult, TaskQueue } from './ports/task-queue.js';
export type { AttemptOutcome, AttemptOutcomeInput, RateLimitedOutcome } from './ports/task-queue.js';
export type { JobControl, TaskCancellation } from './ports/job-control.js';
export type { NewJobInput, TaskStatusCounts, JobProgressFigures, JobRepository, QueueEntry, JobPageFilter, JobListEntry, QueuePlacementUpdate } from './ports/job-repository.js';
export type { AssetRepository, AssetListQuery } from './ports/asset-repository.js';
export type { GroupRepository, GroupSummary, GroupDisposal, GroupDeletion } from './ports/group-repository.js';
export type { ImageRepository, ResultsQuery, GroupImagesQuery, ResultImage, ExportFilter, ExportImage } from './ports/image-repository.js';
export type { StoredEvent, StoredDomainEvent, UnrecognisedStoredEvent, EventLog } from './ports/event-log.js';
export type { DomainEventBus, DomainEventListener } from './ports/event-bus.js';
export type { CliSessionRecord, CliSessionRepository } from './ports/cli-session-repository.js';
export type { BlobStore, BlobStat, BlobRange, BlobRead, BlobReader, BlobPutOptions, MaterializedBlob, OutputImageInput, StoredOutputImage, OutputImageWriter } from './ports/blob-store.js';
export type { NewWebhookEndpoint, WebhookDeliveryStatus, WebhookDelivery, ClaimedWebhookDelivery, WebhookAttemptOutcome, WebhookOutbox, WebhookRequest, WebhookResponse, WebhookSender } from './ports/webhook-outbox.js';
export type { WebSessionRepository } from './ports/web-session-repository.js';
export type { Store } from './ports/store.js';
export type { CopyValue, CopyRow, CopyBatch, SourceLease, StoreCopySource, StoreCopyMarker, TableCopyProgress, StoreCopyTarget, BlobKeyListing } from './ports/store-copy.js';
export type { SharedTaskProgress, StoreSignals } from './ports/store-signals.js';
