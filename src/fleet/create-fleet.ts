import { randomUUID } from 'node:crypto';
import { mkdir, access, constants, statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import { ImagefleetError } from '../core/errors.js';
import type { Lane } from '../core/job.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { Engine } from '../engine/engine.js';
import type { Clock, ProviderLimits } from '../engine/ports.js';
import { getJobStatus, type JobStatusReport } from '../engine/job-status.js';
import { reclaimDeadLeases, type ReclaimDeadLeasesResult } from '../engine/reclaim-dead-leases.js';
import { upgradeJob, type UpgradeJobInput, type UpgradeJobResult } from '../engine/upgrade-job.js';
import { isLeaseOwnerGone } from '../core/lease-owner.js';
import { submitJob, type SubmitJobOptions, type SubmitJobResult } from '../engine/submit-job.js';
import { systemClock } from '../engine/system-clock.js';
import type { ImageProvider } from '../providers/contract.js';
import { configureProviderModules } from '../providers/provider-modules.js';
import { ProviderRegistry } from '../providers/registry.js';
import { AssetImporter } from '../store/blobs/asset-importer.js';
import { FileBlobStore } from '../store/blobs/file-blob-store.js';
import { sweepTemporaryFiles } from '../store/blobs/sweep-temporary-files.js';
import { createOutputImageWriter } from '../imaging/output-image-writer.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import { appVersion } from './app-version.js';
import { openReferenceLinks, type ReferenceLinks } from './reference-links.js';
import type { Asset } from '../core/asset.js';
import { WebhookDeliverer } from '../engine/webhook-deliverer.js';
import { sendTestWebhook, type TestWebhookInput, type TestWebhookResult } from '../engine/send-test-webhook.js';
import { createHttpWebhookSender } from '../webhooks/http-webhook-sender.js';
import { createWebhookBodyBuilder } from '../webhooks/webhook-body.js';
import { diskFullBytes, diskLowBytes, engineErrorWindowMs, type DiskHealth, type FleetLifecycle, type HealthReport } from './fleet.js';

export interface Fleet extends FleetLifecycle {
  readonly store: SqliteStore;
  /** The fleet's time source (web sessions' expiry is judged on it, so tests can move it). */
  readonly clock: Clock;
  readonly blobs: FileBlobStore;
  readonly providers: ProviderRegistry;
  readonly engine: Engine;
  /** Signed, expiring links to stored reference images, for remote workers. */
  readonly referenceLinks: ReferenceLinks;
  /** The limits in force for a provider's lane (`online` when no lane is given). */
  readonly limitsFor: (providerId: string, lane?: Lane) => ProviderLimits;
  /** Validates, plans and creates a job (or only plans, with `dryRun`), then wakes the engine. */
  submitJob(input: unknown, options?: SubmitJobOptions): Promise<SubmitJobResult>;
  /** Stores a reference image (deduped by content). */
  importAsset(bytes: Uint8Array, originalName: string): Promise<Asset>;
  /** Stores the reference image in a file (an upload streamed to disk); `created` false when the same stored bytes existed. */
  importAssetFile(filePath: string, originalName: string): Promise<{ asset: Asset; created: boolean }>;
  /** Counts (in images), progress, rate, ETA, cost and current errors of a job. */
  jobStatus(jobId: string): Promise<JobStatusReport>;
  /** Re-generates a job's completed images at a larger size, as a new job (the CLI's `upgrade`). */
  upgradeJob(input: UpgradeJobInput, options?: { dryRun?: boolean }): Promise<UpgradeJobResult>;
  /**
   * Takes back at once the tasks leased by processes of this machine that no longer exist (a CLI
   * killed with kill -9), instead of waiting for their leases to expire. Counts as a worker death.
   */
  reclaimDeadLeases(): Promise<ReclaimDeadLeasesResult>;
  /** Posts jobs' webhooks from the outbox (started and stopped with the engine). */
  readonly webhookDeliverer: WebhookDeliverer;
  /** Queues a signed `webhook.test` delivery to the given URL or the server-wide one. */
  sendTestWebhook(input: TestWebhookInput): Promise<TestWebhookResult>;
}

export interface CreateFleetOptions {
  logger?: Logger;
  clock?: Clock;
  /** Providers registered beside the configured ones (benchmarks' and tests' fake-server clients). */
  extraProviders?: ImageProvider[];
  /** Limits for the extra providers, by provider id; default: unlimited RPM, concurrency 2. */
  extraLimits?: Record<string, ProviderLimits>;
}

/**
 * Temp files of interrupted writes older than this are removed (hourly, and at start). An hour is
 * far longer than any single write, so a write in progress in another process is never touched.
 */
const temporaryFileMaxAgeMs = 60 * 60 * 1000;

/** Most bytes of a webhook receiver's answer read (only a snippet is kept). */
const webhookResponseMaxBytes = 64 * 1024;
/** How much longer than one attempt's timeout a delivery lease lasts, in ms. */
const webhookLeaseMarginMs = 5_000;
/** Longest idle wait between two looks at the webhook outbox, in ms (other processes' events). */
const webhookPollMs = 1_000;
/** Most webhook attempts one process makes at once. */
const webhookMaxInFlight = 8;

/** Default limits for a provider the configuration does not list. */
const fallbackLimits: ProviderLimits = { requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 };

/**
 * The composition root (DESIGN §3): the only place that wires concrete adapters — SQLite store,
 * file blobs, providers — into the engine. Shells call it once per process.
 */
export async function createFleet(config: Config, options: CreateFleetOptions = {}): Promise<Fleet> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  await prepareDataDirectory(config.dataDir);
  // Each provider module reads what must be checked first (a workflow file), so a bad one stops
  // the start with nothing left open.
  const providerModules = configureProviderModules(config.providers);
  const providerFactories = await Promise.all(providerModules.map((module) => module.prepare()));

  const referenceLinks = await openReferenceLinks(config.dataDir, config.api.publicUrl);
  const store = await openSqliteStore({ databasePath: config.databasePath, now: () => clock.now() });
  const blobs = new FileBlobStore(config.blobsDir);
  const providers = new ProviderRegistry();
  const providerClosers: Array<() => void> = [];
  const creationContext = {
    logger,
    dataDirectory: config.dataDir,
    referenceLink: (sha256: string, ttlMs: number) => referenceLinks.urlFor(sha256, ttlMs, clock.now()),
    settingsById: config.providers as unknown as Readonly<Record<string, unknown>>,
    workerResultBucket: config.runpodWorker.bucket,
  };
  for (const create of providerFactories) {
    // In module order: the order of the provider list and pickers.
    const created = await create(creationContext);
    if (created === undefined) continue;
    providers.register(created.provider);
    if (created.close) providerClosers.push(created.close);
  }
  for (const provider of options.extraProviders ?? []) providers.register(provider);

  const limitsFor = (providerId: string, lane?: Lane): ProviderLimits => {
    const module = providerModules.find((candidate) => candidate.id === providerId);
    if (module) return module.limits(lane);
    return options.extraLimits?.[providerId] ?? fallbackLimits;
  };
  const engine = new Engine(
    { queue: store.queue, control: store.control, assets: store.assets, blobs, outputs: createOutputImageWriter(blobs), providers, limitsFor, clock, logger },
    // host:pid identifies the lease holder, so a tool on the same machine can tell a dead holder from a live one.
    { ...config.engine, appVersion: appVersion(), workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` },
  );
  const webhooks = config.webhooks;
  const webhookDeliverer = new WebhookDeliverer(
    {
      outbox: store.webhooks,
      sender: createHttpWebhookSender({ allowPrivateTargets: webhooks.allowPrivateTargets, timeoutMs: webhooks.timeoutMs, maxResponseBytes: webhookResponseMaxBytes, userAgent: `imagefleet-webhooks/${appVersion()}` }),
      clock,
      logger,
      buildBody: createWebhookBodyBuilder({
        jobStatus: (jobId) => getJobStatus(jobId, { jobs: store.jobs, clock }),
        taskImages: (taskId) => store.images.listImages({ taskId }),
        publicUrl: config.api.publicUrl,
      }),
      random: Math.random,
    },
    // The lease outlasts one attempt, so only a dead worker's delivery is taken over.
    { retryDelaysMs: webhooks.retryDelaysMs, leaseMs: webhooks.timeoutMs + webhookLeaseMarginMs, pollMs: webhookPollMs, maxInFlight: webhookMaxInFlight },
  );
  const defaultWebhook =
    webhooks.defaultUrl === undefined || webhooks.defaultSecret === undefined ? undefined : { url: webhooks.defaultUrl, secret: webhooks.defaultSecret, eventTypes: webhooks.defaultEvents };
  engine.subscribe((event) => {
    if (event.type === 'job.finished' || event.type === 'task.completed') webhookDeliverer.wake();
  });
  const importer = new AssetImporter(store.assets, blobs, () => clock.now(), { maxPixels: config.api.uploadMaxPixels });
  const startedAtMs = clock.now();
  let stopped: Promise<void> | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  const fleet: Fleet = {
    config,
    logger,
    store,
    clock,
    blobs,
    providers,
    referenceLinks,
    limitsFor,
    engine,
    webhookDeliverer,
    start() {
      if (engine.isRunning) return;
      engine.start();
      webhookDeliverer.start();
      // After a kill -9 restart the dead process's tasks still hold their provider's concurrency
      // until their leases expire; this machine knows that process is gone, so take them back now.
      fleet.reclaimDeadLeases().catch((error: unknown) => logger.warn({ error: String(error) }, 'Could not take back tasks of dead processes; their leases will expire instead.'));
      const pruneEvents = (): void => {
        store.events.pruneEvents(clock.now() - config.engine.eventRetentionMs).catch((error: unknown) => {
          logger.warn({ error: String(error) }, 'Could not prune old events.');
        });
        store.webhooks.pruneFinished(clock.now() - config.engine.eventRetentionMs).catch((error: unknown) => {
          logger.warn({ error: String(error) }, 'Could not prune old webhook deliveries.');
        });
      };
      const sweepTemporaryBlobs = (): void => {
        sweepTemporaryFiles(blobs.rootDirectory, { olderThanMs: temporaryFileMaxAgeMs, nowMs: Date.now() })
          .then((swept) => {
            if (swept.removedFiles > 0) logger.info({ ...swept }, 'Removed temp files left by interrupted writes.');
          })
          .catch((error: unknown) => logger.warn({ error: String(error) }, 'Could not sweep temp files.'));
      };
      const housekeeping = (): void => {
        pruneEvents();
        sweepTemporaryBlobs();
      };
      housekeeping();
      pruneTimer = setInterval(housekeeping, 60 * 60 * 1000);
      pruneTimer.unref();
      logger.info({ workerId: engine.workerId, dataDir: config.dataDir }, 'Engine started.');
    },
    stop() {
      stopped ??= (async () => {
        if (pruneTimer) clearInterval(pruneTimer);
        await engine.stop(config.engine.shutdownGraceMs);
        // After the engine, so the events of its last tasks are in the outbox; attempts in flight
        // are given back and sent again (same webhook-id) by the next process.
        await webhookDeliverer.stop();
        for (const close of providerClosers) close();
        await store.close();
        logger.info({ workerId: engine.workerId }, 'Engine stopped.');
      })();
      return stopped;
    },
    async submitJob(input, submitOptions) {
      const result = await submitJob(
        input,
        { jobs: store.jobs, assets: store.assets, groups: store.groups, providers, limitsFor, clock, random: Math.random, defaultWebhook, allowPrivateWebhookTargets: webhooks.allowPrivateTargets },
        submitOptions,
      );
      if (result.job) engine.wake();
      return result;
    },
    async sendTestWebhook(input) {
      const result = await sendTestWebhook(input, { outbox: store.webhooks, clock, defaultWebhook, allowPrivateTargets: webhooks.allowPrivateTargets });
      webhookDeliverer.wake();
      return result;
    },
    importAsset: (bytes, originalName) => importer.importAsset(bytes, originalName),
    importAssetFile: (filePath, originalName) => importer.importAssetFile(filePath, originalName),
    jobStatus: (jobId) => getJobStatus(jobId, { jobs: store.jobs, clock }),
    async upgradeJob(input, upgradeOptions) {
      const result = await upgradeJob(input, { jobs: store.jobs, assets: store.assets, providers, limitsFor, clock }, upgradeOptions);
      if (result.job) engine.wake();
      return result;
    },
    async reclaimDeadLeases() {
      const host = hostname();
      const result = await reclaimDeadLeases(
        { queue: store.queue, clock },
        { isOwnerGone: (owner) => isLeaseOwnerGone(owner, host, isProcessAlive), maxLeaseExpirations: config.engine.maxLeaseExpirations },
      );
      if (result.requeued + result.poisoned > 0) {
        logger.warn({ ...result, workerId: engine.workerId }, 'Took back tasks held by processes of this machine that no longer exist.');
        engine.wake();
      }
      return result;
    },
    async health(): Promise<HealthReport> {
      let database: HealthReport['database'] = 'ok';
      let states: Awaited<ReturnType<typeof store.queue.providerStates>> = [];
      try {
        states = await store.queue.providerStates();
      } catch {
        database = 'unavailable';
      }
      const pausedReasonFor = (providerId: string): string | undefined =>
        states.find((state) => (state.scopeKey === providerId || state.scopeKey.startsWith(`${providerId}:`)) && state.pausedReason !== undefined)?.pausedReason;
      const disk = await diskHealth(config.dataDir);
      const nowMs = clock.now();
      const recentEngineFailure = engine.recentErrors.some((error) => nowMs - error.atMs < engineErrorWindowMs);
      return {
        status: database === 'ok' && disk.status !== 'full' && !recentEngineFailure ? 'ok' : 'degraded',
        version: appVersion(),
        uptimeSeconds: Math.round((clock.now() - startedAtMs) / 1000),
        dataDir: config.dataDir,
        database,
        disk,
        engine: {
          running: engine.isRunning,
          inFlight: engine.inFlightCount,
          lastErrors: engine.recentErrors.map((error) => ({ at: new Date(error.atMs).toISOString(), message: error.message })),
        },
        pausedProviders: states.filter((state) => state.pausedReason !== undefined && (state.pausedUntilMs === undefined || state.pausedUntilMs > nowMs)).map((state) => state.scopeKey),
        providers: providers.list().map((provider) => ({
          id: provider.id,
          displayName: provider.displayName,
          configured: true,
          pausedReason: pausedReasonFor(provider.id),
          models: provider.models().map((model) => model.modelId),
        })),
      };
    },
  };
  return fleet;
}

/** Free space of the file system holding `directory`. */
async function diskHealth(directory: string): Promise<DiskHealth> {
  try {
    const stats = await statfs(directory);
    const freeBytes = stats.bavail * stats.bsize;
    const totalBytes = stats.blocks * stats.bsize;
    return { status: freeBytes < diskFullBytes ? 'full' : freeBytes < diskLowBytes ? 'low' : 'ok', freeBytes, totalBytes };
  } catch {
    return { status: 'unknown', freeBytes: undefined, totalBytes: undefined };
  }
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but is another user's). */
function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the data directory if needed and checks it is writable, with one clear sentence if not. */
async function prepareDataDirectory(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK | constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable by this user' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : `the system said ${code}`;
    throw new ImagefleetError('storage_unavailable', `Cannot use the data directory ${dataDir}: ${why}. Set IMAGEFLEET_DATA_DIR (or --data-dir) to a writable directory.`, { cause: error });
  }
}
