/**
 * Task routes: `GET /api/jobs/{id}/tasks` (a job's planned calls with their state, progress and
 * images — what the studio draws placeholders from before any image exists) and
 * `POST /api/tasks/{id}/cancel` (cancel one call: one set of a studio batch).
 */
import { z } from 'zod';
import type { GeneratedImage } from '../core/image.js';
import type { Task } from '../core/task.js';
import { cancelTask } from '../operations/cancel-task.js';
import { listJobTasks } from '../operations/list-job-tasks.js';
import { apiRoute } from './api-route.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema, isoTime } from './schemas/common.js';
import { defaultTaskPageSize, taskListQuerySchema } from './schemas/tasks.js';
import { serverState } from './server-state.js';

/** `GET /api/jobs/{id}/tasks`: the job's tasks in plan order, a page at a time. */
export const handleJobTasks = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const query = readQuery(url, taskListQuerySchema);
    const limit = query.limit ?? defaultTaskPageSize;
    const { job, tasks, imagesByTask, nextOffset } = await listJobTasks({ jobId: id, offset: query.cursor, limit }, fleet);
    const progress = serverState(fleet).taskProgress;
    return Response.json({
      jobId: id,
      job: {
        id: job.id,
        name: job.name,
        mode: job.mode,
        status: job.status,
        provider: job.provider,
        model: job.model,
        groupId: job.groupId,
        settings: {
          size: job.settings.size,
          aspectRatio: job.settings.aspectRatio,
          negativePrompt: job.settings.negativePrompt ?? null,
          strength: job.settings.strength ?? null,
          loras: (job.settings.loras ?? []).map((lora) => ({ name: lora.name, weight: lora.weight })),
        },
        createdAt: isoTime(job.createdAtMs),
      },
      items: tasks.map((task) => taskItem(task, imagesByTask.get(task.id) ?? [], progress.fractionOf(task.id))),
      nextCursor: nextOffset === undefined ? null : String(nextOffset),
    });
  },
  { name: 'GET /api/jobs/{id}/tasks' },
);

/** `POST /api/tasks/{id}/cancel`: cancels one queued or running task. */
export const handleCancelTask = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    await readJsonBody(request, z.strictObject({}), { optional: true });
    const { task, job } = await cancelTask({ taskId: id }, fleet);
    return Response.json({ id: task.id, status: 'canceled', job: { id: job.id, status: job.status, statusReason: job.statusReason ?? null } });
  },
  { name: 'POST /api/tasks/{id}/cancel' },
);

function taskItem(task: Task, images: GeneratedImage[], runningFraction: number | undefined) {
  const progress = task.status === 'completed' ? 1 : task.status === 'running' ? (runningFraction ?? null) : null;
  // A queued task with an error is waiting for its retry: say why, as for a failed one.
  const showsError = task.status !== 'completed' && task.status !== 'canceled' && task.lastErrorMessage !== undefined;
  return {
    id: task.id,
    ordinal: task.ordinal,
    status: task.status,
    prompt: task.prompt,
    promptId: task.promptId,
    setIndex: task.setIndex,
    seed: task.seed ?? null,
    imageCount: task.imageCount,
    referenceIds: [...task.referenceAssetIds],
    maskId: task.maskAssetId ?? null,
    progress,
    errorCode: showsError ? (task.lastErrorCode ?? null) : null,
    errorMessage: showsError ? (task.lastErrorMessage ?? null) : null,
    imageIds: [...images].sort((left, right) => left.index - right.index).map((image) => image.id),
    createdAt: isoTime(task.createdAtMs),
    finishedAt: task.finishedAtMs === undefined ? null : isoTime(task.finishedAtMs),
  };
}
