/**
 * The body of a webhook: Standard Webhooks' `{ type, timestamp, data }`, where `data` is the job's
 * status document (the same fields as `GET /api/jobs/{id}/status`) with links to its status,
 * results and ZIP, the event's own details, and for `task.completed` the task's images. Built at
 * the first attempt and then kept, so every retry sends the same bytes.
 */
import type { GeneratedImage } from '../core/image.js';
import type { JobStatusReport } from '../engine/job-status.js';
import type { WebhookDelivery } from '../engine/ports.js';
import { imageUrls, jobStatusBody } from '../server/wire-format.js';

export interface WebhookBodyDependencies {
  /** The job's status report; rejects when the job no longer exists. */
  jobStatus: (jobId: string) => Promise<JobStatusReport>;
  taskImages: (taskId: string) => Promise<GeneratedImage[]>;
  /** `IMAGEFLEET_PUBLIC_URL` without a trailing slash; undefined = links are paths on this server. */
  publicUrl: string | undefined;
}

export function createWebhookBodyBuilder(dependencies: WebhookBodyDependencies): (delivery: WebhookDelivery) => Promise<string> {
  const link = (path: string): string => `${dependencies.publicUrl ?? ''}${path}`;
  return async (delivery) => {
    const timestamp = new Date(delivery.createdAtMs).toISOString();
    if (delivery.jobId === undefined) {
      return JSON.stringify({ type: delivery.eventType, timestamp, data: { ...delivery.eventPayload } });
    }
    const jobId = delivery.jobId;
    const id = encodeURIComponent(jobId);
    let status: Record<string, unknown>;
    try {
      status = jobStatusBody(await dependencies.jobStatus(jobId));
    } catch {
      // The job was deleted before the first attempt: the event alone still says what happened.
      status = { id: jobId, deleted: true };
    }
    const groupId = typeof status.groupId === 'string' ? status.groupId : undefined;
    const links = {
      status: link(`/api/jobs/${id}/status`),
      results: link(`/api/jobs/${id}/results`),
      ...(groupId === undefined ? {} : { zip: link(`/api/download/${encodeURIComponent(groupId)}?job=${id}`) }),
    };
    let task: Record<string, unknown> | undefined;
    if (delivery.taskId !== undefined && delivery.eventType === 'task.completed') {
      const images = await dependencies.taskImages(delivery.taskId).catch(() => []);
      task = {
        id: delivery.taskId,
        images: images.map((image) => {
          const urls = imageUrls(image.id);
          return { id: image.id, url: link(urls.url), thumbUrl: link(urls.thumbUrl), width: image.width, height: image.height, seed: image.seed ?? null, prompt: image.prompt };
        }),
      };
    }
    return JSON.stringify({ type: delivery.eventType, timestamp, data: { ...status, links, event: delivery.eventPayload, ...(task === undefined ? {} : { task }) } });
  };
}
