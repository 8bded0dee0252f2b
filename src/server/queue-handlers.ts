/** Queue routes: `GET /api/queue` (scheduling order with progress) and `PATCH /api/queue` (reorder, priorities). */
import { z } from 'zod';
import { changeQueue } from '../operations/change-queue.js';
import { readQueue } from '../operations/read-queue.js';
import { apiRoute } from './api-route.js';
import { readJsonBody, readQuery } from './request-input.js';
import { queuePatchBodySchema } from './schemas/queue.js';
import { queueBody } from './wire-format.js';

/** `GET /api/queue`. */
export const handleGetQueue = apiRoute(
  async ({ url, fleet }) => {
    readQuery(url, z.strictObject({}));
    return Response.json(queueBody(await readQueue({}, fleet)));
  },
  { name: 'GET /api/queue' },
);

/** `PATCH /api/queue`. */
export const handlePatchQueue = apiRoute(
  async ({ request, fleet }) => {
    const body = await readJsonBody(request, queuePatchBodySchema);
    const queue = await changeQueue(
      {
        first: body.first,
        last: body.last,
        reset: body.reset,
        priorities: body.priorities?.map((entry) => ({ jobId: entry.id, priority: entry.priority })),
      },
      fleet,
    );
    return Response.json(queueBody(queue));
  },
  { name: 'PATCH /api/queue' },
);
