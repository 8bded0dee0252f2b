/**
 * Domain objects → the API's JSON shapes (the contract in src/server/schemas). Only named fields
 * are copied, so nothing else an object carries (blob keys, lease tokens, settings with provider
 * options) reaches a response by accident.
 */
import type { Asset } from '../core/asset.js';
import type { Plan } from '../core/plan.js';
import type { GeneratedImage } from '../core/image.js';
import type { Job } from '../core/job.js';
import type { JobStatusReport } from '../operations/job-status.js';
import type { GroupSummary, JobListEntry, QueueEntry, ResultImage, TaskStatusCounts, WebhookDelivery } from '../engine/ports.js';
import { isoTime } from './schemas/common.js';

export function planSummary(plan: Plan, lane: Job['lane'], skippedTasks = 0) {
  const { estimate } = plan;
  const costUsdByLane: Record<string, number> = {};
  for (const [name, cost] of Object.entries(estimate.costUsdByLane)) if (cost !== undefined) costUsdByLane[name] = cost;
  return {
    tasks: estimate.taskCount,
    images: estimate.imageCount,
    estimate: {
      costUsd: estimate.costUsdByLane[lane] ?? null,
      costUsdByLane,
      durationSeconds: Math.round(estimate.estimatedDurationMs / 100) / 10,
      assumptions: estimate.assumptions,
    },
    warnings: [...plan.warnings],
    skippedTasks,
  };
}

export function jobStatusBody(report: JobStatusReport) {
  const { job } = report;
  return {
    id: job.id,
    groupId: job.groupId,
    name: job.name,
    mode: job.mode,
    provider: job.provider,
    model: job.model,
    status: job.status,
    statusReason: job.statusReason ?? null,
    counts: { ...report.counts },
    progress: report.progress,
    ratePerMinute: report.ratePerMinute,
    etaSeconds: report.etaSeconds ?? null,
    cost: { estimatedUsd: report.cost.estimatedUsd, spentUsd: report.cost.spentUsd },
    errors: report.errors.map((error) => ({ code: error.code, message: error.message, taskCount: error.taskCount, status: error.status })),
    createdAt: isoTime(job.createdAtMs),
    finishedAt: job.finishedAtMs === undefined ? null : isoTime(job.finishedAtMs),
  };
}

export function imageUrls(imageId: string): { url: string; thumbUrl: string } {
  const id = encodeURIComponent(imageId);
  return { url: `/api/images/${id}`, thumbUrl: `/api/images/${id}/thumb` };
}

export function resultItem(image: GeneratedImage & Partial<Pick<ResultImage, 'referenceAssetIds' | 'referenceNames' | 'provider' | 'model' | 'costUsd'>>, referenceAssetIds: string[] = image.referenceAssetIds ?? []) {
  return {
    id: image.id,
    ...imageUrls(image.id),
    prompt: image.prompt,
    promptId: image.promptId,
    seed: image.seed ?? null,
    width: image.width,
    height: image.height,
    mimeType: image.mediaType,
    byteSize: image.byteSize,
    referenceIds: [...referenceAssetIds],
    ...(image.referenceNames === undefined ? {} : { referenceNames: [...image.referenceNames] }),
    favorite: image.favorite,
    discarded: image.discarded,
    jobId: image.jobId,
    taskId: image.taskId,
    index: image.index,
    createdAt: isoTime(image.createdAtMs),
    ...(image.provider === undefined ? {} : { provider: image.provider }),
    ...(image.model === undefined ? {} : { model: image.model }),
    ...(image.costUsd === undefined ? {} : { costUsd: image.costUsd }),
  };
}

export function resultItems(images: ResultImage[]) {
  return images.map((image) => resultItem(image));
}

export function assetBody(asset: Asset) {
  return {
    id: asset.id,
    sha256: asset.sha256,
    width: asset.width,
    height: asset.height,
    mimeType: asset.mediaType,
    byteSize: asset.byteSize,
    name: asset.originalName,
    sourceSha256: asset.sourceSha256 ?? null,
    createdAt: isoTime(asset.createdAtMs),
  };
}

export function uploadListItem(asset: Asset) {
  const id = encodeURIComponent(asset.id);
  return { ...assetBody(asset), url: `/api/uploads/${id}`, thumbUrl: `/api/uploads/${id}/thumb` };
}

export function groupBody(group: GroupSummary) {
  return {
    id: group.id,
    name: group.name,
    jobCount: group.jobCount,
    imageCount: group.imageCount,
    createdAt: isoTime(group.createdAtMs),
    updatedAt: isoTime(group.updatedAtMs),
  };
}

export function imageCounts(images: TaskStatusCounts) {
  const total = images.queued + images.running + images.completed + images.failed + images.blocked + images.canceled;
  return { total, pending: images.queued, running: images.running, completed: images.completed, failed: images.failed, blocked: images.blocked, canceled: images.canceled };
}

/** Finished images ÷ all, 0..1 (1 for a job without images). */
function finishedFraction(counts: ReturnType<typeof imageCounts>): number {
  const finished = counts.completed + counts.failed + counts.blocked + counts.canceled;
  return counts.total === 0 ? 1 : finished / counts.total;
}

export function queueEntryBody(entry: QueueEntry, position: number) {
  const { job } = entry;
  const counts = imageCounts(entry.imagesByStatus);
  return {
    id: job.id,
    name: job.name,
    groupId: job.groupId,
    mode: job.mode,
    provider: job.provider,
    model: job.model,
    status: job.status,
    statusReason: job.statusReason ?? null,
    priority: job.priority,
    execution: job.execution,
    position,
    placement: entry.queuePosition < 0 ? ('first' as const) : entry.queuePosition > 0 ? ('last' as const) : ('turns' as const),
    counts,
    progress: finishedFraction(counts),
    createdAt: isoTime(job.createdAtMs),
  };
}

export function queueBody(entries: QueueEntry[]) {
  return { jobs: entries.map((entry, index) => queueEntryBody(entry, index + 1)) };
}

export function jobControlBody(job: Job, retriedTasks?: number) {
  return { id: job.id, status: job.status, statusReason: job.statusReason ?? null, ...(retriedTasks === undefined ? {} : { retriedTasks }) };
}

/** A job as `GET /api/jobs` lists it. */
export function jobListItem(entry: JobListEntry) {
  const { job } = entry;
  const counts = imageCounts(entry.imagesByStatus);
  return {
    id: job.id,
    groupId: job.groupId,
    name: job.name,
    mode: job.mode,
    provider: job.provider,
    model: job.model,
    lane: job.lane,
    status: job.status,
    statusReason: job.statusReason ?? null,
    counts,
    progress: finishedFraction(counts),
    createdAt: isoTime(job.createdAtMs),
    finishedAt: job.finishedAtMs === undefined ? null : isoTime(job.finishedAtMs),
  };
}

/** A webhook delivery as the API lists it: never the endpoint's secret, never the body. */
export function webhookDeliveryItem(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    url: delivery.url,
    eventType: delivery.eventType,
    jobId: delivery.jobId ?? null,
    taskId: delivery.taskId ?? null,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? isoTime(delivery.nextAttemptAtMs) : null,
    lastAttemptAt: delivery.lastAttemptAtMs === undefined ? null : isoTime(delivery.lastAttemptAtMs),
    lastStatusCode: delivery.lastStatusCode ?? null,
    lastError: delivery.lastError ?? null,
    createdAt: isoTime(delivery.createdAtMs),
    finishedAt: delivery.finishedAtMs === undefined ? null : isoTime(delivery.finishedAtMs),
  };
}
