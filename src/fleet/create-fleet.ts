import { randomUUID } from 'node:crypto';
import { mkdir, access, constants, statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { BlobSettings, Config, StoreSettings } from '../config/config.js';
import { ImagefleetError } from '../core/errors.js';
import type { Lane } from '../core/job.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { Engine } from '../engine/engine.js';
import { shareTaskProgress } from '../engine/progress-sharing.js';
import type { Clock, ProviderLimits } from '../engine/ports.js';
import { reclaimDeadLeases } from '../operations/reclaim-dead-leases.js';
import { upgradeJob } from '../operations/upgrade-job.js';
import { isLeaseOwnerGone } from '../core/lease-owner.js';
import { isProcessAlive } from '../platform/is-process-alive.js';
import { submitJob } from '../operations/submit-job.js';
import { systemClock } from '../engine/system-clock.js';
import type { ImageProvider } from '../providers/contract.js';
import { configureProviderModules } from '../providers/provider-modules.js';
import { ProviderRegistry } from '../providers/registry.js';
import { AssetImporter } from '../store/blobs/asset-importer.js';
import { sweepTemporaryFiles } from '../store/blobs/sweep-temporary-files.js';
import { createOutputImageWriter } from '../imaging/output-image-writer.js';
import { turnOffLibvipsOperationCache } from '../imaging/libvips-operation-cache.js';
import { openConfiguredBlobs } from './open-configured-blobs.js';
import { openConfiguredStore } from './open-configured-store.js';
import { shareConfiguredStore } from './configured-store-access.js';
import { appVersion } from './app-version.js';
import { openReferenceLinks, type ReferenceLinks } from './reference-links.js';
import { referenceLinkSource } from './reference-link-source.js';
import { throttledCall } from './throttled-call.js';
import { sweepBlobCopies } from './sweep-blob-copies.js';
import { WebhookDeliverer } from '../engine/webhook-deliverer.js';
import { jobStatus } from '../operations/job-status.js';
import { learnedRateStatus } from '../operations/learned-rate-status.js';
import { sendTestWebhook } from '../operations/send-test-webhook.js';
import { pausedReasonOf } from '../operations/list-providers.js';
import { serverWideWebhook } from '../operations/server-wide-webhook.js';
import { createHttpWebhookSender } from '../webhooks/http-webhook-sender.js';
import { createWebhookBodyBuilder } from '../webhooks/webhook-body.js';
import { diskFullBytes, diskLowBytes, engineErrorWindowMs, type BlobHealth, type DiskHealth, type Fleet, type HealthReport, type StoreHealth } from './fleet.js';

export type { Fleet, RunningEngine, WebhookDeliveryWorker } from './fleet.js';

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

/**
 * Least time between two wake-ups of this process by other processes' commits, in ms: short
 * against the idle poll it replaces, long enough that a burst of commits costs one claim round.
 */
const signalWakeIntervalMs = 50;

/** Default limits for a provider the configuration does not list. */
const fallbackLimits: ProviderLimits = { requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 };

/**
 * The composition root (DESIGN §3): the only place that wires concrete adapters — the configured
 * store (SQLite or Postgres) and blobs (files or S3), providers — into the engine. Shells call it
 * once per process; what is shared between processes and what stays per process is decision 0041.
 */
export async function createFleet(config: Config, options: CreateFleetOptions = {}): Promise<Fleet> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  await prepareDataDirectory(config.dataDir);
  // Every image this process decodes is a new one: a cache only keeps inputs alive (decision 0052).
  turnOffLibvipsOperationCache();
  // Each provider module reads what must be checked first (a workflow file), so a bad one stops
  // the start with nothing left open.
  const providerModules = configureProviderModules(config.providers);
  const providerFactories = await Promise.all(providerModules.map((module) => module.prepare()));

  const store = await openConfiguredStore(config.store, { now: () => clock.now(), listen: true });
  const releaseDataDirStore = shareConfiguredStore(config, store);
  let referenceLinks: ReferenceLinks;
  let configuredBlobs: Awaited<ReturnType<typeof openConfiguredBlobs>>;
  try {
    referenceLinks = await openReferenceLinks(config.dataDir, config.api.publicUrl, store.webSessions, clock.now());
    configuredBlobs = await openConfiguredBlobs(config.blobs, config.dataDir);
  } catch (error) {
    releaseDataDirStore();
    await store.close();
    throw error;
  }
  const { blobs, fileDirectory: blobFileDirectory } = configuredBlobs;
  const referenceLinkFor = referenceLinkSource({ blobs, assets: store.assets, referenceLinks, clock });
  const providers = new ProviderRegistry();
  const providerClosers: Array<() => void> = [];
  const creationContext = {
    logger,
    dataDirectory: config.dataDir,
    referenceLink: (sha256: string, ttlMs: number) => referenceLinkFor(sha256, ttlMs),
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
    { queue: store.queue, control: store.control, assets: store.assets, blobs, outputs: createOutputImageWriter(blobs), providers, limitsFor, clock, logger, events: store.eventBus },
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
        jobStatus: (jobId) => jobStatus({ jobId }, { store, clock }),
        taskImages: (taskId) => store.images.listImages({ taskId }),
        publicUrl: config.api.publicUrl,
      }),
      random: Math.random,
    },
    // The lease outlasts one attempt, so only a dead worker's delivery is taken over.
    { retryDelaysMs: webhooks.retryDelaysMs, leaseMs: webhooks.timeoutMs + webhookLeaseMarginMs, pollMs: webhookPollMs, maxInFlight: webhookMaxInFlight },
  );
  const defaultWebhook = serverWideWebhook(config);
  engine.subscribe((event) => {
    if (event.type === 'job.finished' || event.type === 'task.completed') webhookDeliverer.wake();
  });
  // Another process committed events or added work (Postgres): claim and deliver now rather than
  // at the next poll. Only a hint; the polls stay (docs/decisions/0041).
  const wakeOnSignal = throttledCall(() => {
    engine.wake();
    webhookDeliverer.wake();
  }, signalWakeIntervalMs);
  const unsubscribeSignals = store.signals?.subscribe(wakeOnSignal);
  // Live progress of tasks running here reaches other processes' streams, and theirs reaches ours
  // (Postgres; issue 17). Transient: nothing is stored, a lost report only delays a progress bar.
  const stopProgressSharing = store.signals === undefined ? undefined : shareTaskProgress({ events: store.eventBus, signals: store.signals, clock });
  const afterCreate = (): void => {
    engine.wake();
    store.signals?.announceWork();
  };
  // Warnings about this process's own work name it, as the engine's own lines do.
  const workerLogger = withFields(logger, { workerId: engine.workerId });
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
    storeSignals: store.signals,
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
        if (blobFileDirectory === undefined) {
          sweepBlobCopies(path.join(config.dataDir, 'tmp'), { olderThanMs: temporaryFileMaxAgeMs, nowMs: Date.now() })
            .then((removed) => {
              if (removed > 0) logger.info({ removedDirectories: removed }, 'Removed temporary blob copies left by interrupted commands.');
            })
            .catch((error: unknown) => logger.warn({ error: String(error) }, 'Could not sweep temporary blob copies.'));
          return;
        }
        sweepTemporaryFiles(blobFileDirectory, { olderThanMs: temporaryFileMaxAgeMs, nowMs: Date.now() })
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
        unsubscribeSignals?.();
        stopProgressSharing?.();
        wakeOnSignal.cancel();
        releaseDataDirStore();
        await store.close();
        logger.info({ workerId: engine.workerId }, 'Engine stopped.');
      })();
      return stopped;
    },
    submitJob: (input, submitOptions) =>
      submitJob(
        input,
        {
          jobs: store.jobs,
          assets: store.assets,
          groups: store.groups,
          providers,
          limitsFor,
          clock,
          random: Math.random,
          defaultWebhook,
          allowPrivateWebhookTargets: webhooks.allowPrivateTargets,
          afterCreate,
        },
        submitOptions,
      ),
    sendTestWebhook: (input) => sendTestWebhook(input, fleet),
    importAsset: (bytes, originalName) => importer.importAsset(bytes, originalName),
    importAssetFile: (filePath, originalName, facts) => importer.importAssetFile(filePath, originalName, facts),
    jobStatus: (jobId) => jobStatus({ jobId }, fleet),
    learnedRate: (limitKey) => learnedRateStatus(limitKey, fleet),
    upgradeJob: (input, upgradeOptions) => upgradeJob(input, { jobs: store.jobs, assets: store.assets, providers, limitsFor, clock, afterCreate }, upgradeOptions),
    reclaimDeadLeases() {
      const host = hostname();
      // Only this machine can tell which of its processes are gone; the logger names this worker in the warning.
      return reclaimDeadLeases({ isOwnerGone: (owner) => isLeaseOwnerGone(owner, host, isProcessAlive) }, { ...fleet, logger: workerLogger });
    },
    async health(): Promise<HealthReport> {
      let database: HealthReport['database'] = 'ok';
      let states: Awaited<ReturnType<typeof store.queue.providerStates>> = [];
      try {
        states = await store.queue.providerStates();
      } catch {
        database = 'unavailable';
      }
      // Only local shared state (the SQLite file, file blobs) can fill this disk in a way that matters.
      const sharedStateOnDisk = config.store.kind === 'sqlite' || config.blobs.kind === 'files';
      const disk: DiskHealth = sharedStateOnDisk ? await diskHealth(config.dataDir) : { status: 'unknown', freeBytes: undefined, totalBytes: undefined };
      const nowMs = clock.now();
      const recentEngineFailure = engine.recentErrors.some((error) => nowMs - error.atMs < engineErrorWindowMs);
      return {
        status: database === 'ok' && disk.status !== 'full' && !recentEngineFailure ? 'ok' : 'degraded',
        version: appVersion(),
        uptimeSeconds: Math.round((clock.now() - startedAtMs) / 1000),
        dataDir: config.dataDir,
        database,
        store: storeHealth(config.store, database === 'ok'),
        blobs: blobHealth(config.blobs),
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
          pausedReason: pausedReasonOf(states, provider.id),
          models: provider.models().map((model) => model.modelId),
        })),
      };
    },
  };
  return fleet;
}

/** A logger that adds `fields` to every line. */
function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (lineFields, message) => logger.debug({ ...lineFields, ...fields }, message),
    info: (lineFields, message) => logger.info({ ...lineFields, ...fields }, message),
    warn: (lineFields, message) => logger.warn({ ...lineFields, ...fields }, message),
    error: (lineFields, message) => logger.error({ ...lineFields, ...fields }, message),
  };
}

/** The store backend for the health report: where it is, never a password. */
function storeHealth(settings: StoreSettings, reachable: boolean): StoreHealth {
  return settings.kind === 'sqlite' ? { kind: 'sqlite', path: settings.databasePath, reachable } : { kind: 'postgres', host: settings.host, database: settings.database, reachable };
}

/** The blob backend for the health report: where it is, never a credential. */
function blobHealth(settings: BlobSettings): BlobHealth {
  return settings.kind === 'files'
    ? { kind: 'files', directory: settings.directory }
    : { kind: 's3', bucket: settings.location.bucket, prefix: settings.location.keyPrefix, endpoint: settings.location.endpoint };
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
