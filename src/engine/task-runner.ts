import { ImagefleetError, isImagefleetError, toImagefleetError } from '../core/errors.js';
import { laneOfLimitKeyText, limitKey, limitKeyText } from '../core/limit-key.js';
import type { Logger } from '../core/logger.js';
import { addPngTextChunks } from '../core/png-text-chunks.js';
import { buildProvenance } from '../core/provenance.js';
import { findModel, providerError, type GenerateRequest, type GenerateResult, type ImageProvider, type ModelCapabilities } from '../providers/contract.js';
import { classifyFailure, type RetryPolicy } from './classify-failure.js';
import { buildLimitPolicies, isEvenlyPaced, type LimitsLookup } from './limit-policies.js';
import type { AssetRepository, BlobStore, ClaimedTask, Clock, DomainEventBus, NewImageRecord, OutputImageWriter, TaskQueue } from './ports.js';

/** Why a running task's call was aborted; decides what happens to its row afterwards. */
export const abortReasons = {
  /** The job (or this one task) was canceled: the row is already `canceled`; just stop. */
  canceled: 'job-canceled',
  /** The process is shutting down: give the task back without using an attempt. */
  shutdown: 'shutdown',
  /** Our lease is gone (expired and taken, or canceled elsewhere): another worker owns the row. */
  leaseLost: 'lease-lost',
} as const;

/** Where a task stands in a remote (submit/poll) call; the engine counts such tasks apart from calls in flight. */
export type RemotePhase = 'submitting' | 'polling';

export interface TaskRunnerContext {
  queue: TaskQueue;
  assets: AssetRepository;
  blobs: BlobStore;
  /** Writes an output image and its thumbnail (src/imaging over `blobs`). */
  outputs: OutputImageWriter;
  clock: Clock;
  logger: Logger;
  /** Where `task.progress` goes; the store publishes every other event after its commit. */
  events: DomainEventBus;
  getProvider: (providerId: string) => ImageProvider;
  limitsFor: LimitsLookup;
  retryPolicy: RetryPolicy;
  leaseMs: number;
  /** Lease length while a task only waits on a remote job (renewed less often than `leaseMs`). */
  remoteLeaseMs: number;
  appVersion: string;
  /** Told when a task starts submitting to, then polling, a remote job (it then leaves the call slots). */
  onRemotePhase?: ((taskId: string, phase: RemotePhase) => void) | undefined;
}

const remotePollInitialMs = 1_000;
/** Why a task's heartbeat stops (nothing reads it; the heartbeat only checks `aborted`). */
const attemptOverReason = 'attempt-over';
const remotePollMaxMs = 10_000;

/** What one attempt touched, for the failure path: the limit key it ran under and the remote handle it holds. */
interface AttemptState {
  /** Key of the limits this attempt counts against (`provider:model`, or `…@batch` for batch-lane calls). */
  limitKey: string;
  /** The task's remote handle as of now (saved, replaced or forgotten during this attempt). */
  remoteHandle: string | undefined;
  /** The task runs online instead of in its batch lane (stored, so the choice survives a restart). */
  runOnline: boolean;
  /** Lease length the heartbeat renews with; longer once the task only waits on a remote job. */
  leaseMs: number;
  /** SHA-256 of each reference, in order, once this attempt has loaded them (for provenance without a second read). */
  referenceSha256s?: string[] | undefined;
}

/**
 * Runs one claimed task to an outcome the queue records: completed (fenced), retried, ended, or
 * released. Never throws: every failure path ends in exactly one fenced write, or none when the
 * lease is already gone.
 */
export async function runClaimedTask(claimed: ClaimedTask, controller: AbortController, context: TaskRunnerContext): Promise<void> {
  const { task, job, leaseToken } = claimed;
  const attempt: AttemptState = { limitKey: limitKeyText(limitKey(job.provider, job.model)), remoteHandle: task.remoteHandle, runOnline: task.runOnline === true, leaseMs: context.leaseMs };
  const heartbeatStop = new AbortController();
  const heartbeat = keepLeaseAlive(claimed, controller, heartbeatStop.signal, attempt, context);

  try {
    const provider = context.getProvider(job.provider);
    const model = findModel(provider, job.model);
    if (job.lane === 'batch' && model.lanes.includes('batch')) attempt.limitKey = limitKeyText(limitKey(job.provider, job.model, 'batch'));
    const result = await callProvider(provider, model, claimed, controller.signal, attempt, context);
    if (result === deferred) return;
    if (result.images.length === 0) throw providerError('transient', 'The provider replied without an image.');
    controller.signal.throwIfAborted();

    const images = await writeOutputs(claimed, provider, model, result, attempt, context);
    const costUsd = result.costUsd ?? (model.pricePerImageUsd[job.settings.size]?.[job.lane] ?? 0) * result.images.length;
    const limits = context.limitsFor(job.provider, laneOfLimitKeyText(attempt.limitKey));
    const outcome = await context.queue.recordAttemptOutcome({
      taskId: task.id,
      leaseToken,
      nowMs: context.clock.now(),
      outcome: { kind: 'completed', images, costUsd, warnings: result.warnings, providerKey: attempt.limitKey, maxConcurrency: limits.maxConcurrency },
    });
    if (!outcome.accepted) {
      if (outcome.canceled) {
        // Canceled while this attempt ran: no row will ever point at these files and no worker
        // will overwrite them, so they go (docs/decisions/0022).
        await context.blobs.delete(images.flatMap((image) => [image.fileKey, image.thumbnailKey])).catch((error: unknown) =>
          context.logger.warn({ taskId: task.id, jobId: job.id, error: String(error) }, 'Could not remove the files of a canceled task.'),
        );
        context.logger.info({ taskId: task.id, jobId: job.id, files: images.length }, 'Task canceled while running; the images it produced were removed.');
        return;
      }
      context.logger.warn({ taskId: task.id, jobId: job.id }, 'Lease lost before completion; this worker\'s result was discarded (the files are overwritten by the owner).');
      return;
    }
  } catch (thrown) {
    await handleFailure(claimed, controller, thrown, attempt, context);
  } finally {
    // An explicit reason: a bare abort() builds a DOMException with a stack trace, once per task.
    heartbeatStop.abort(attemptOverReason);
    await heartbeat;
  }
}

async function buildRequest(claimed: ClaimedTask, model: ModelCapabilities, signal: AbortSignal, attempt: AttemptState, context: TaskRunnerContext): Promise<GenerateRequest> {
  const { task, job } = claimed;
  const assetIds = [...task.referenceAssetIds, ...(task.maskAssetId ? [task.maskAssetId] : [])];
  const assets = assetIds.length === 0 ? [] : await context.assets.getAssets(assetIds);
  const byId = new Map(assets.map((asset) => [asset.id, asset]));
  const load = async (assetId: string): Promise<GenerateRequest['references'][number]> => {
    const asset = byId.get(assetId);
    if (!asset) throw new ImagefleetError('not_found', `Reference image ${assetId} no longer exists; upload it again and resubmit.`);
    return { bytes: await context.blobs.read(asset.blobKey), mediaType: asset.mediaType, sha256: asset.sha256 };
  };
  const references = await Promise.all(task.referenceAssetIds.map(load));
  // Each reference once, in first-listed order: what provenance recorded when it read the assets itself.
  attempt.referenceSha256s = [...new Set(references.map((reference) => reference.sha256))];
  return {
    modelId: model.modelId,
    taskKey: task.key,
    prompt: task.prompt,
    references,
    mask: task.maskAssetId ? await load(task.maskAssetId) : undefined,
    n: task.imageCount,
    size: job.settings.size,
    aspectRatio: job.settings.aspectRatio,
    seed: task.seed,
    negativePrompt: job.settings.negativePrompt,
    loras: job.settings.loras,
    strength: job.settings.strength,
    providerOptions: job.settings.providerOptions,
    signal,
    onProgress: (fraction) => context.events.publish({ type: 'task.progress', jobId: job.id, taskId: task.id, payload: { fraction } }),
  };
}

/** Returned instead of a result when the attempt was put back without running (waiting for an online slot). */
const deferred = Symbol('deferred');

/**
 * Synchronous providers are called once. Asynchronous ones (remote job ids) save the handle
 * before waiting, so a restarted worker re-attaches to the same remote job instead of paying again.
 * A remote job that ends without a result makes the handle go (and may mark the task to run online), so the
 * retry submits afresh instead of polling a dead job.
 */
async function callProvider(
  provider: ImageProvider,
  model: ModelCapabilities,
  claimed: ClaimedTask,
  signal: AbortSignal,
  attempt: AttemptState,
  context: TaskRunnerContext,
): Promise<GenerateResult | typeof deferred> {
  const { task, job, leaseToken } = claimed;
  const remoteLanes = provider.remoteLanes ?? [job.lane];
  if (!provider.submit || !provider.poll || !remoteLanes.includes(job.lane)) {
    return provider.generate(await buildRequest(claimed, model, signal, attempt, context));
  }
  if (attempt.runOnline) return callOnlineInstead(provider, model, claimed, signal, attempt, context);

  let handle = attempt.remoteHandle;
  if (handle === undefined) {
    context.onRemotePhase?.(task.id, 'submitting');
    // The request (with its reference bytes) lives only inside this call, so waiting tasks hold no image data.
    handle = await provider.submit(await buildRequest(claimed, model, signal, attempt, context));
    const saved = await context.queue.saveRemoteHandle(task.id, leaseToken, handle);
    if (!saved) {
      await provider.cancel?.(handle).catch(() => undefined);
      throw new ImagefleetError('canceled', 'Lease lost while submitting; the remote job was canceled.');
    }
    attempt.remoteHandle = handle;
  }
  context.onRemotePhase?.(task.id, 'polling');
  attempt.leaseMs = Math.max(context.leaseMs, context.remoteLeaseMs);
  let delayMs = remotePollInitialMs;
  for (;;) {
    signal.throwIfAborted();
    const state = await provider.poll(handle, signal);
    if (state.state === 'done') return state.result;
    if (state.state === 'failed') {
      if (state.resubmitOnline) {
        if (await context.queue.markRunOnline(task.id, leaseToken)) {
          attempt.remoteHandle = undefined;
          attempt.runOnline = true;
        }
      } else if (await context.queue.saveRemoteHandle(task.id, leaseToken, undefined)) {
        attempt.remoteHandle = undefined;
      }
      throw state.error;
    }
    if (state.progress !== undefined) context.events.publish({ type: 'task.progress', jobId: job.id, taskId: task.id, payload: { fraction: state.progress } });
    await context.clock.sleep(delayMs, signal);
    delayMs = Math.min(remotePollMaxMs, delayMs * 2);
  }
}

/**
 * A batch-lane task retried online: it runs under the online limits of its model (pause, hold,
 * RPM, concurrency), started through the queue exactly as a claim would, or waits without using
 * an attempt until they allow it.
 */
async function callOnlineInstead(
  provider: ImageProvider,
  model: ModelCapabilities,
  claimed: ClaimedTask,
  signal: AbortSignal,
  attempt: AttemptState,
  context: TaskRunnerContext,
): Promise<GenerateResult | typeof deferred> {
  const { task, job, leaseToken } = claimed;
  const onlineKey = limitKeyText(limitKey(job.provider, model.modelId));
  const policy = buildLimitPolicies([provider], context.limitsFor).find((candidate) => candidate.providerKey === onlineKey);
  if (policy) {
    const nowMs = context.clock.now();
    const start = await context.queue.startRequest(policy, nowMs);
    if (!start.started) {
      const message = 'Waiting for an online request slot: this batch request failed and the job retries failed batch requests online.';
      await context.queue.recordAttemptOutcome({
        taskId: task.id,
        leaseToken,
        nowMs,
        outcome: { kind: 'setback', setback: { kind: 'retry', availableAtMs: start.retryAtMs, countsAsAttempt: false, errorCode: 'provider_rate_limited', message } },
      });
      return deferred;
    }
  }
  attempt.limitKey = onlineKey;
  return provider.generate(await buildRequest(claimed, model, signal, attempt, context));
}

async function writeOutputs(
  claimed: ClaimedTask,
  provider: ImageProvider,
  model: ModelCapabilities,
  result: GenerateResult,
  attempt: AttemptState,
  context: TaskRunnerContext,
): Promise<NewImageRecord[]> {
  const { task, job } = claimed;
  // Loaded again only when this attempt did not build the request (it re-attached to a remote job).
  const referenceSha256s = attempt.referenceSha256s ?? (task.referenceAssetIds.length === 0 ? [] : (await context.assets.getAssets(task.referenceAssetIds)).map((asset) => asset.sha256));
  const records: NewImageRecord[] = [];
  for (const [index, image] of result.images.entries()) {
    const seed = image.seed ?? (task.seed === undefined ? undefined : (task.seed + index) % 2 ** 32);
    try {
      const bytes =
        image.mediaType === 'image/png'
          ? addPngTextChunks(
              image.bytes,
              buildProvenance({
                prompt: task.prompt,
                // Provenance records what shaped the image: a negative prompt the model ignores did not.
                negativePrompt: model.supportsNegativePrompt ? job.settings.negativePrompt : undefined,
                sampling: result.sampling,
                provider: provider.id,
                model: job.model,
                requestId: result.requestId,
                seed,
                referenceSha256s,
                jobId: job.id,
                taskId: task.id,
                appVersion: context.appVersion,
                size: job.settings.size,
                aspectRatio: job.settings.aspectRatio,
                width: image.width,
                height: image.height,
              }),
            )
          : image.bytes;
      const stored = await context.outputs.writeOutput({ jobId: job.id, taskId: task.id, index, bytes, mediaType: image.mediaType });
      records.push({ index, ...stored, mediaType: image.mediaType, width: image.width, height: image.height, seed });
    } catch (error) {
      // Stamping and storing refuse bytes that do not decode: a truncated or corrupt reply, worth a retry.
      if (isImagefleetError(error) && error.code === 'invalid_input') {
        throw providerError('transient', `The provider returned image ${index + 1} in a form that does not decode (${error.message}).`, { cause: error });
      }
      throw error;
    }
  }
  return records;
}

async function handleFailure(claimed: ClaimedTask, controller: AbortController, thrown: unknown, attempt: AttemptState, context: TaskRunnerContext): Promise<void> {
  const { task, job, leaseToken } = claimed;
  const nowMs = context.clock.now();
  if (controller.signal.aborted) {
    const reason: unknown = controller.signal.reason;
    // The handle as of now, so a remote job submitted during this attempt is canceled too.
    const handle = attempt.remoteHandle;
    if (handle !== undefined && reason !== abortReasons.shutdown) {
      await safeProvider(job.provider, context)?.cancel?.(handle).catch(() => undefined);
    }
    if (reason === abortReasons.shutdown) {
      await context.queue.recordAttemptOutcome({ taskId: task.id, leaseToken, nowMs, outcome: { kind: 'released' } }).catch((error: unknown) => logWriteFailure(error, claimed, context));
    }
    return;
  }

  const error = toImagefleetError(thrown);
  if (!isImagefleetError(thrown)) context.logger.warn({ taskId: task.id, jobId: job.id, error: error.message }, 'Unexpected error from the provider call; treated as transient.');
  const decision = classifyFailure(error, task.attempts, nowMs, context.retryPolicy);
  const providerKey = attempt.limitKey;
  try {
    // One write per outcome: the pause or the 429 hold goes in the same transaction as the task's setback.
    if (decision.action === 'pause-provider') {
      const provider = safeProvider(job.provider, context);
      const scopeKey = decision.scope === 'provider' ? job.provider : providerKey;
      await context.queue.recordAttemptOutcome({
        taskId: task.id,
        leaseToken,
        nowMs,
        outcome: { kind: 'provider-paused', pause: { scopeKey, reason: decision.reason, untilMs: decision.untilMs, credentialFingerprint: provider?.credentialFingerprint() } },
      });
      context.logger.warn({ provider: job.provider, model: job.model, until: decision.untilMs }, `Provider paused: ${decision.reason}`);
      return;
    }
    const rateLimited =
      decision.rateLimitUntilMs === undefined
        ? undefined
        : {
            providerKey,
            untilMs: decision.rateLimitUntilMs,
            maxConcurrency: context.limitsFor(job.provider, laneOfLimitKeyText(providerKey)).maxConcurrency,
            learnedRate: context.limitsFor(job.provider, laneOfLimitKeyText(providerKey)).learnedRate === true,
            evenlyPaced: isEvenlyPaced(context.limitsFor(job.provider, laneOfLimitKeyText(providerKey)), laneOfLimitKeyText(providerKey)),
            startedAtMs: task.startedAtMs,
            retryAfterMs: decision.rateLimit?.retryAfterMs,
            quotaDimension: decision.rateLimit?.quotaDimension,
            usage: claimed.requestUsage,
          };
    // Its events (provider.rate_limited, task.retrying / task.failed, job.finished) are published by the store after the commit.
    await context.queue.recordAttemptOutcome({ taskId: task.id, leaseToken, nowMs, outcome: { kind: 'setback', setback: decision.setback, rateLimited } });
  } catch (writeError) {
    // The store is unavailable: the lease will expire and recovery requeues the task.
    logWriteFailure(writeError, claimed, context);
  }
}

function safeProvider(providerId: string, context: TaskRunnerContext): ImageProvider | undefined {
  try {
    return context.getProvider(providerId);
  } catch {
    return undefined;
  }
}

function logWriteFailure(error: unknown, claimed: ClaimedTask, context: TaskRunnerContext): void {
  context.logger.error(
    { taskId: claimed.task.id, jobId: claimed.job.id, error: toImagefleetError(error).message },
    'Could not record the task outcome; its lease will expire and the task will be recovered.',
  );
}

/**
 * Renews the lease every third of its length; aborts the call when the lease is gone. The length
 * is read each time: it grows once the task only waits on a remote job.
 */
async function keepLeaseAlive(claimed: ClaimedTask, controller: AbortController, stop: AbortSignal, attempt: AttemptState, context: TaskRunnerContext): Promise<void> {
  while (!stop.aborted) {
    await context.clock.sleep(Math.max(100, Math.floor(attempt.leaseMs / 3)), stop);
    if (stop.aborted) return;
    try {
      const held = await context.queue.renewLease(claimed.task.id, claimed.leaseToken, context.clock.now(), attempt.leaseMs);
      if (!held) {
        if (!controller.signal.aborted) controller.abort(abortReasons.leaseLost);
        return;
      }
    } catch (error) {
      // Keep trying: a briefly busy database must not abort good work; expiry is the backstop.
      context.logger.warn({ taskId: claimed.task.id, error: toImagefleetError(error).message }, 'Lease renewal failed; retrying.');
    }
  }
}
