/**
 * Ports the engine depends on. Adapters in src/store and src/providers implement them; only
 * `createFleet` wires concrete ones together. All methods are async so a Postgres store can
 * implement the same ports later (DESIGN §9).
 */
import type { FinishedCall } from '../core/call-times.js';
import type { Asset } from '../core/asset.js';
import type { Group } from '../core/group.js';
import type { GeneratedImage } from '../core/image.js';
import type { Job, Lane } from '../core/job.js';
import type { Task } from '../core/task.js';
import type { WebSessionRecord } from '../core/web-session.js';
import type { WebhookEventType } from '../core/webhook-events.js';

/** Time source. Tests use a manual clock to check backoff and lease timing. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (or at once when aborted). Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A provider's configured limits (the same for each of its models). */
export interface ProviderLimits {
  /** Requests per minute across every process on this store; 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once across every process. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, ms; 0 = none. */
  cooldownMs: number;
}

/** Limits the claimer enforces for one provider+model ("provider key" = `provider:model`). */
export interface ProviderLimitPolicy {
  /** `provider:model`. */
  providerKey: string;
  /** Provider id alone; a pause of the whole provider (bad key) applies to all its models. */
  providerId: string;
  /** Requests per minute across every process on this store; 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once across every process; adaptive concurrency stays ≤ this. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, ms; 0 = none. */
  cooldownMs: number;
  /** Current credential fingerprint; a pause for bad credentials lifts when it changes. */
  credentialFingerprint: string | undefined;
  /**
   * Lane of the jobs this policy limits; undefined = `online`. A `batch` policy has its own key
   * (`provider:model@batch`), so batch-lane tasks waiting on a remote batch neither use the online
   * concurrency and RPM nor are held by online rate limits.
   */
  lane?: Lane | undefined;
  /** The jobs' `provider:model` when it differs from `providerKey` (lane policies). */
  jobProviderKey?: string | undefined;
}

/** Outcome of asking to start one request outside a claim (see `TaskQueue.startRequest`). */
export type RequestStart = { started: true } | { started: false; retryAtMs: number };

export interface ClaimRequest {
  nowMs: number;
  /** Identifies the claiming process in the lease (diagnostics only; the token does the fencing). */
  workerId: string;
  leaseMs: number;
  /** Providers this process can run, with their limits. Jobs for other providers are left alone. */
  providers: ProviderLimitPolicy[];
}

export interface ClaimedTask {
  task: Task;
  job: Job;
  /** Fresh random token; every later write about this task must present it. */
  leaseToken: string;
}

/** An output image about to be recorded at completion. */
export type NewImageRecord = Pick<GeneratedImage, 'index' | 'fileKey' | 'thumbnailKey' | 'mediaType' | 'width' | 'height' | 'byteSize' | 'seed'>;

export interface CompleteTaskInput {
  taskId: string;
  leaseToken: string;
  nowMs: number;
  images: NewImageRecord[];
  /** What the call cost, USD (reported or from the price table). */
  costUsd: number;
  warnings: string[];
  providerKey: string;
  maxConcurrency: number;
}

/** What to do with a task whose attempt did not succeed. */
export type TaskSetback =
  /** Try again at `availableAtMs`. `countsAsAttempt` false for rate limits and pauses. */
  | { kind: 'retry'; availableAtMs: number; countsAsAttempt: boolean; errorCode: string; message: string }
  /** End the task: `failed` (invalid, out of attempts) or `blocked` (safety). */
  | { kind: 'end'; status: 'failed' | 'blocked'; errorCode: string; message: string };

export interface SetbackInput {
  taskId: string;
  leaseToken: string;
  nowMs: number;
  setback: TaskSetback;
}

export interface TaskOutcome {
  /** False when the lease had been lost: nothing was written. */
  accepted: boolean;
  /**
   * When not accepted: whether the task had been canceled (so no worker will ever write its files
   * again). The runner then removes the files this attempt wrote (docs/decisions/0022).
   */
  canceled?: boolean | undefined;
  /** Set when this write finished the job. */
  finishedJob?: Job | undefined;
}

export interface ProviderPause {
  /** `provider` (whole provider, e.g. bad key) or `provider:model` (e.g. daily quota). */
  scopeKey: string;
  reason: string;
  /** When the pause lifts by itself (quota reset), epoch ms; undefined = until credentials change. */
  untilMs: number | undefined;
  /** Fingerprint of the credentials that were refused. */
  credentialFingerprint: string | undefined;
}

export interface ProviderStateView {
  scopeKey: string;
  pausedReason: string | undefined;
  pausedUntilMs: number | undefined;
  nextRequestAtMs: number;
  /** Current adaptive concurrency (may be fractional while growing back). */
  concurrencyLimit: number | undefined;
}

export interface RecoveryResult {
  /** Tasks whose lease expired and went back to the queue. */
  requeued: number;
  /** Tasks failed because workers died holding them too many times (poison tasks). */
  poisoned: number;
}

/** The durable queue: every state change of a task goes through here, in one transaction each. */
export interface TaskQueue {
  /** Atomically picks the next runnable task under priority, fairness, limits and budgets, and leases it. */
  claimNext(request: ClaimRequest): Promise<ClaimedTask | undefined>;
  /** Claims up to `maxTasks` in one transaction, each pick under the same rules as `claimNext`. */
  claimMany(request: ClaimRequest, maxTasks: number): Promise<ClaimedTask[]>;
  /** Extends a lease. False when the lease is gone (expired and taken, or the task was canceled). */
  renewLease(taskId: string, leaseToken: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Fenced completion: records images and cost only if the lease token still holds. */
  completeTask(input: CompleteTaskInput): Promise<TaskOutcome>;
  /** Fenced: retry later, or end the task as failed/blocked. */
  setBackTask(input: SetbackInput): Promise<TaskOutcome>;
  /** Fenced: give the task back untouched (shutdown, provider paused). No attempt is counted. */
  releaseTask(taskId: string, leaseToken: string, nowMs: number): Promise<boolean>;
  /** Saves a remote job handle before waiting on it (fenced); `undefined` forgets it (the remote job ended without a result). */
  saveRemoteHandle(taskId: string, leaseToken: string, handle: string | undefined): Promise<boolean>;
  /**
   * Starts one request under `policy` for a task already running under another key (a batch-lane
   * task retried online): checks pause, hold, concurrency and RPM exactly as a claim does and
   * records the start; otherwise says when to ask again.
   */
  startRequest(policy: ProviderLimitPolicy, nowMs: number): Promise<RequestStart>;
  /** Requeues tasks whose lease expired; fails those that expired `maxLeaseExpirations` times. */
  recoverExpiredLeases(nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult>;
  /** Distinct lease owners (`host:pid:random`) of running tasks, with how many tasks each holds. */
  leaseOwners(): Promise<Array<{ owner: string; taskCount: number }>>;
  /**
   * Takes back at once the running tasks leased by `owners` (processes known to be dead), exactly
   * as if their leases had expired: requeued, counted toward `maxLeaseExpirations` (poison limit).
   */
  reclaimLeases(owners: string[], nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult>;
  /**
   * A 429: hold every request to this provider key until `untilMs` and halve its concurrency
   * (once per hold, so a burst of 429s from calls already in flight halves it only once).
   */
  recordRateLimited(input: { providerKey: string; nowMs: number; untilMs: number; maxConcurrency: number }): Promise<void>;
  pauseProvider(pause: ProviderPause, nowMs: number): Promise<void>;
  resumeProvider(scopeKey: string): Promise<void>;
  providerStates(): Promise<ProviderStateView[]>;
  /** Earliest future time a queued task becomes available (for the idle sleep), or undefined. */
  nextAvailableAtMs(nowMs: number): Promise<number | undefined>;
}

/** Job control. Cancel clears running tasks' lease tokens, so their workers' completions are refused. */
export interface JobControl {
  pauseJob(jobId: string, reason: string | undefined, nowMs: number): Promise<Job>;
  resumeJob(jobId: string, nowMs: number): Promise<Job>;
  cancelJob(jobId: string, nowMs: number): Promise<Job>;
  /** Requeues failed (not blocked, not completed) tasks with fresh attempts. Returns how many. */
  retryFailed(jobId: string, nowMs: number): Promise<number>;
  /**
   * Requeues the given failed or blocked tasks of the job with fresh attempts (an explicit retry,
   * e.g. `imagefleet retry SESSION --job 0007`). Returns how many; other statuses are left alone.
   */
  retryTasks(jobId: string, taskIds: string[], nowMs: number): Promise<number>;
  /**
   * Cancels one queued or running task (its lease token is cleared, so a late completion is
   * refused and never billed) and closes the job when that was its last unfinished task.
   * `not_found` for an unknown task, `conflict` for one that already finished otherwise.
   */
  cancelTask(taskId: string, nowMs: number): Promise<TaskCancellation>;
}

export interface TaskCancellation {
  task: Task;
  /** The job after the cancel (finished when this was its last unfinished task). */
  job: Job;
  /** Whether this cancel finished the job. */
  finishedJob: boolean;
  /** False when the task was canceled already (nothing changed). */
  changed: boolean;
}

export interface NewJobInput {
  job: Omit<Job, 'status' | 'statusReason' | 'spentUsd' | 'updatedAtMs' | 'finishedAtMs'>;
  /** Webhook endpoints told about the job's events, stored with the job in its transaction. Default: none. */
  webhooks?: NewWebhookEndpoint[] | undefined;
  tasks: Array<Omit<Task, 'jobId' | 'status' | 'attempts' | 'leaseExpirations' | 'lastErrorCode' | 'lastErrorMessage' | 'remoteHandle' | 'costUsd' | 'updatedAtMs' | 'finishedAtMs' | 'availableAtMs'>>;
}

export type TaskStatusCounts = Record<Task['status'], number>;

/** Raw figures behind a job's status report, read in one go. */
export interface JobProgressFigures {
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
  /** Images completed at or after `sinceMs`. */
  imagesCompletedSince: number;
  /** Most frequent current errors: failed/blocked tasks, and queued tasks waiting after an error. */
  errors: Array<{ code: string; message: string; taskCount: number; status: Task['status'] }>;
}

export interface JobRepository {
  /** Inserts the job and all its tasks in one transaction; nothing is written on failure. */
  createJob(input: NewJobInput): Promise<Job>;
  /** The most recent completed calls of a provider+model on a lane, newest first: what time estimates are calibrated from. */
  recentCalls(providerKey: string, lane: Lane, limit: number): Promise<FinishedCall[]>;
  getJob(jobId: string): Promise<Job | undefined>;
  listJobs(filter: { statuses?: Job['status'][]; groupId?: string; limit?: number }): Promise<Job[]>;
  taskCounts(jobId: string): Promise<TaskStatusCounts>;
  listTasks(jobId: string, filter: { statuses?: Task['status'][]; limit?: number; offset?: number }): Promise<Task[]>;
  /** Image counts per status, recent completions since `sinceMs`, and the top error reasons. */
  progressFigures(jobId: string, sinceMs: number, maxErrors: number): Promise<JobProgressFigures>;
  /** Keys among `keys` that already completed (in any job): re-running a plan skips them. */
  completedTaskKeys(keys: string[]): Promise<Set<string>>;
  getTask(taskId: string): Promise<Task | undefined>;
  /**
   * Unfinished jobs in the order the claimer considers them: queued and processing jobs by priority,
   * queue position, least recently served, age; then paused jobs in the same order. Each with its
   * image counts per task status.
   */
  listQueue(): Promise<QueueEntry[]>;
  /** One page of jobs, newest first (for `GET /api/jobs`). */
  listJobPage(filter: JobPageFilter): Promise<JobListEntry[]>;
  /**
   * Sets queue positions and priorities in one transaction. `not_found` for an unknown job,
   * `conflict` for a job that already finished; nothing is written then.
   */
  updateQueuePlacement(updates: QueuePlacementUpdate[], nowMs: number): Promise<void>;
  /** Tasks of the group's jobs (or one job of it) in the given statuses, with their job's provider and model, in job then plan order. */
  listTasksInGroup(groupId: string, filter: { jobId?: string; statuses: Task['status'][] }): Promise<Array<{ task: Task; provider: string; model: string; jobName: string }>>;
}

/** One unfinished job as the queue shows it. */
export interface QueueEntry {
  job: Job;
  /** 0 = not placed (takes turns); negative = moved ahead; positive = moved behind. */
  queuePosition: number;
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
}

/** Which jobs a page of `listJobPage` holds. */
export interface JobPageFilter {
  groupId?: string | undefined;
  mode?: Job['mode'] | undefined;
  statuses?: Job['status'][] | undefined;
  /** The last job of the previous page (its creation time and id); undefined = the newest. */
  before?: { createdAtMs: number; id: string } | undefined;
  /** Jobs per page. */
  limit: number;
}

/** A job with its image counts, as job lists show it. */
export interface JobListEntry {
  job: Job;
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
}

/** A change to one job's place in the queue. */
export interface QueuePlacementUpdate {
  jobId: string;
  queuePosition?: number | undefined;
  priority?: Job['priority'] | undefined;
}

export interface AssetRepository {
  /** Inserts or returns the existing asset with the same SHA-256. */
  upsertAsset(asset: Asset & { blobKey: string }): Promise<Asset>;
  getAsset(assetId: string): Promise<(Asset & { blobKey: string }) | undefined>;
  /** The asset with these bytes (assets are unique by SHA-256). */
  getAssetBySha256(sha256: string): Promise<(Asset & { blobKey: string }) | undefined>;
  /** The asset first uploaded as exactly these bytes (SHA-256 of the file before re-encoding). */
  getAssetBySourceSha256(sourceSha256: string): Promise<(Asset & { blobKey: string }) | undefined>;
  getAssets(assetIds: string[]): Promise<Array<Asset & { blobKey: string }>>;
  /** One page of assets, newest first, after the keyset cursor `before` (the last asset of the previous page). */
  listAssets(query: AssetListQuery): Promise<Array<Asset & { blobKey: string }>>;
}

export interface AssetListQuery {
  before?: { createdAtMs: number; id: string } | undefined;
  limit: number;
  /** Case-insensitive substring of the uploaded file name. */
  nameContains?: string | undefined;
}

export interface GroupRepository {
  getGroup(groupId: string): Promise<Group | undefined>;
  /** The `Default` group, created on first use. */
  getOrCreateDefault(): Promise<Group>;
  /** The group with this name, ignoring letter case. */
  findGroupByName(name: string): Promise<Group | undefined>;
  /** `conflict` when the name is taken in any letter case. */
  createGroup(name: string): Promise<Group>;
  renameGroup(groupId: string, name: string): Promise<Group>;
  /** Every group with its job and image counts, by name. */
  listGroupSummaries(): Promise<GroupSummary[]>;
  getGroupSummary(groupId: string): Promise<GroupSummary | undefined>;
  /**
   * Deletes a group. Without `disposal` only an empty group (`conflict` otherwise); `move` moves its
   * jobs and images to another group first; `delete` deletes its jobs, tasks and images (`conflict`
   * while one of its jobs is unfinished). One transaction; files are the caller's to remove.
   */
  deleteGroup(groupId: string, disposal?: GroupDisposal): Promise<GroupDeletion>;
}

export interface GroupSummary extends Group {
  jobCount: number;
  imageCount: number;
}

export type GroupDisposal = { kind: 'move'; targetGroupId: string } | { kind: 'delete' };

export interface GroupDeletion {
  movedJobs: number;
  movedImages: number;
  /** Jobs deleted with their tasks and images; their output files are to be removed. */
  deletedJobIds: string[];
  deletedImages: number;
}

export interface ImageRepository {
  /** `taskIds`: only images of these tasks (at most 900, SQLite's parameter budget). */
  listImages(filter: { jobId?: string; taskId?: string; taskIds?: string[]; groupId?: string; favorite?: boolean; limit?: number; offset?: number }): Promise<GeneratedImage[]>;
  getImage(imageId: string): Promise<GeneratedImage | undefined>;
  setFavorite(imageId: string, favorite: boolean): Promise<GeneratedImage>;
  /** Sets or clears the discarded mark (hidden from feeds, restorable); `not_found` when there is no such image. */
  setDiscarded(imageId: string, discarded: boolean): Promise<GeneratedImage>;
  /** One page of a job's images in completion order (created, id), after `after`, with their task's reference ids. */
  listResults(query: ResultsQuery): Promise<ResultImage[]>;
  /** One page of a group's images, newest first (created, id descending), after `after`, with their job's provider, model and cost. */
  listGroupImages(query: GroupImagesQuery): Promise<ResultImage[]>;
  /** How many images match a list query (its cursor and limit ignored): the exact total a page of it belongs to. */
  countImages(query: Omit<GroupImagesQuery, 'after' | 'limit' | 'groupId'> & { groupId?: string | undefined; promptId?: string | undefined }): Promise<number>;
  /** The images of a group (narrowed by job, ids, favourites), with their job's name, provider and model, in job then plan order. */
  listForExport(filter: ExportFilter): Promise<ExportImage[]>;
}

export interface ResultsQuery {
  jobId: string;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  promptId?: string | undefined;
  favorite?: boolean | undefined;
  /** undefined = both. */
  discarded?: boolean | undefined;
  /** Keyset cursor: the last image of the previous page. */
  after?: { createdAtMs: number; id: string } | undefined;
  limit: number;
}

export interface GroupImagesQuery {
  groupId: string;
  jobId?: string | undefined;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  favorite?: boolean | undefined;
  /** undefined = both. */
  discarded?: boolean | undefined;
  /** Keyset cursor: the last image of the previous page (pages run newest first). */
  after?: { createdAtMs: number; id: string } | undefined;
  limit: number;
}

/**
 * An image as listed for people: its task's references and, where known, what made it (provider,
 * model) and its share of its call's cost.
 */
export type ResultImage = GeneratedImage & { referenceAssetIds: string[]; referenceNames?: string[]; provider?: string; model?: string; costUsd?: number };

export interface ExportFilter {
  groupId: string;
  jobId?: string | undefined;
  imageIds?: string[] | undefined;
  favoritesOnly?: boolean | undefined;
}

/** An image as exported: what made it, and its task's references (in order) so an export can name the source files. */
export type ExportImage = GeneratedImage & { provider: string; model: string; jobName: string; jobMode: string; referenceAssetIds: string[] };

/** Durable engine events; SSE and other processes tail them by id. */
export interface StoredEvent {
  id: number;
  type: string;
  jobId: string | undefined;
  taskId: string | undefined;
  payload: Record<string, unknown>;
  createdAtMs: number;
}

export interface EventLog {
  /** Events with id > afterId, oldest first. */
  readEvents(afterId: number, filter: { jobId?: string; limit?: number }): Promise<StoredEvent[]>;
  /** Deletes events older than `beforeMs`. */
  pruneEvents(beforeMs: number): Promise<number>;
  /** Id of the newest event, 0 when there is none. */
  lastEventId(): Promise<number>;
}

/** Blob storage for reference images and outputs. Writes are atomic: temp file, fsync, rename. */
export interface BlobStore {
  /** Stores an asset's bytes under their SHA-256; returns the blob key. Idempotent. */
  putAsset(sha256: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  /**
   * Writes a task output under a name derived from (job, task, index), so a repeat overwrites
   * instead of duplicating, and makes its WebP thumbnail.
   */
  putOutput(input: { jobId: string; taskId: string; index: number; bytes: Uint8Array; mediaType: string }): Promise<{ fileKey: string; thumbnailKey: string; byteSize: number }>;
  read(key: string): Promise<Uint8Array>;
  /** The WebP thumbnail of a stored asset (made on first use, then kept); returns its key. */
  assetThumbnail(sha256: string, assetKey: string): Promise<string>;
  /** Absolute path for streaming (ZIP, HTTP); the key must have come from this store. */
  pathOf(key: string): string;
  /** Removes every output and thumbnail of a job (after its rows were deleted). Idempotent. */
  deleteJobFiles(jobId: string): Promise<void>;
  /** Removes the given output and thumbnail keys (files no row refers to). Missing files are fine. */
  deleteOutputs(keys: string[]): Promise<void>;
}

/** A webhook endpoint about to be stored, its secret already chosen. */
export interface NewWebhookEndpoint {
  /** `ep_…`, unique. */
  id: string;
  url: string;
  /** `whsec_…`; used only to sign. */
  secret: string;
  /** Events this endpoint receives. */
  eventTypes: WebhookEventType[];
}

/** Where a delivery stands: `pending` (waiting or being tried), `delivered`, or `failed` (retries used up). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One outbox row as lists show it: everything but the endpoint's secret. */
export interface WebhookDelivery {
  /** The `webhook-id` header, the same on every attempt. */
  id: string;
  endpointId: string;
  url: string;
  /** A webhook event type, or `webhook.test`. */
  eventType: string;
  jobId: string | undefined;
  taskId: string | undefined;
  /** The details the engine recorded with the event. */
  eventPayload: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due, epoch ms (meaningful while pending). */
  nextAttemptAtMs: number;
  lastAttemptAtMs: number | undefined;
  /** HTTP status of the last answer; undefined when there was none (refused, timeout, network). */
  lastStatusCode: number | undefined;
  /** Why the last attempt failed. */
  lastError: string | undefined;
  /** When the event happened, epoch ms. */
  createdAtMs: number;
  /** When it was delivered or given up, epoch ms. */
  finishedAtMs: number | undefined;
}

/** A delivery leased to one worker, with what it needs to sign and send. */
export interface ClaimedWebhookDelivery {
  delivery: WebhookDelivery;
  /** The body fixed by an earlier attempt; undefined before the first. */
  body: string | undefined;
  secret: string;
  /** Fresh random token; the attempt's outcome is recorded only while it still holds. */
  leaseToken: string;
}

/** How one attempt ended. */
export type WebhookAttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; nextAttemptAtMs: number; statusCode: number | undefined; error: string }
  | { kind: 'failed'; statusCode: number | undefined; error: string };

/** The webhook outbox. Rows are enqueued by the store itself, in the transaction that appends the event. */
export interface WebhookOutbox {
  /** Leases up to `limit` pending deliveries that are due (and not leased by a live worker), oldest first. */
  claimDue(input: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Fenced: stores the body of a delivery's first attempt before it is sent, so an attempt cut short
   * by a crash is retried with the same bytes. False when the lease is gone.
   */
  saveBody(deliveryId: string, leaseToken: string, body: string): Promise<boolean>;
  /** Fenced: records an attempt (and the body sent) if the lease still holds. False otherwise. */
  recordAttempt(input: { deliveryId: string; leaseToken: string; nowMs: number; body: string; outcome: WebhookAttemptOutcome }): Promise<boolean>;
  /** Fenced: gives a claimed delivery back untouched (shutdown). */
  releaseDelivery(deliveryId: string, leaseToken: string): Promise<boolean>;
  /** Stores a job-less endpoint and one `webhook.test` delivery to it, due now. */
  enqueueTest(input: { endpoint: NewWebhookEndpoint; nowMs: number; payload: Record<string, unknown> }): Promise<WebhookDelivery>;
  /** Deliveries newest first, optionally of one job or status. */
  listDeliveries(filter: { jobId?: string | undefined; status?: WebhookDeliveryStatus | undefined; limit: number }): Promise<WebhookDelivery[]>;
  /** Pending deliveries, optionally of one job (the CLI waits for them before it exits). */
  pendingCount(jobId?: string): Promise<number>;
  /** Earliest time a pending delivery no live lease holds becomes due, or undefined. */
  nextDueAtMs(nowMs: number): Promise<number | undefined>;
  /** Deletes delivered and failed rows finished before `beforeMs`. */
  pruneFinished(beforeMs: number): Promise<number>;
}

/** One signed webhook POST, ready to send. */
export interface WebhookRequest {
  url: string;
  /** Standard Webhooks headers and content type. */
  headers: Record<string, string>;
  body: string;
}

/** What became of one POST. */
export type WebhookResponse =
  /** The receiver answered (any status; redirects are not followed). */
  | { kind: 'answered'; statusCode: number; bodySnippet: string }
  /** The target is not allowed (scheme, private address); nothing was sent. */
  | { kind: 'refused'; reason: string }
  /** DNS, connection, TLS or timeout failure. */
  | { kind: 'unreachable'; reason: string };

/** Sends webhook POSTs under the SSRF rules (`core/webhook-target-policy.ts`). */
export interface WebhookSender {
  send(request: WebhookRequest, signal: AbortSignal): Promise<WebhookResponse>;
}

/** The web UI's sign-in sessions and the secret their cookies are signed with (the rules are in `core/web-session.ts`). */
export interface WebSessionRepository {
  /**
   * The secret named `name`, created from `generate()` on first use. Safe when two processes
   * start together: the first insert wins and both read it back.
   */
  serverSecret(name: string, generate: () => string, nowMs: number): Promise<string>;
  /** Stores `value` as the secret `name`, replacing any earlier one. */
  setServerSecret(name: string, value: string, nowMs: number): Promise<void>;
  createSession(session: WebSessionRecord): Promise<void>;
  findSession(id: string): Promise<WebSessionRecord | undefined>;
  /** Moves last-seen forward (never back). */
  touchSession(id: string, lastSeenAtMs: number): Promise<void>;
  /** Marks one session revoked; false when it was unknown or already revoked. */
  revokeSession(id: string, nowMs: number): Promise<boolean>;
  /** Marks every unrevoked session revoked; returns how many. */
  revokeAllSessions(nowMs: number): Promise<number>;
  /** Deletes rows that can no longer be used: revoked, past expiry, or idle since before `idleBeforeMs`. */
  pruneEndedSessions(nowMs: number, idleBeforeMs: number): Promise<number>;
}
