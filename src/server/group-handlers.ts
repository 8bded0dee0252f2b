/** Group routes: list, create, read, rename, delete (refusing a non-empty group unless asked to move or delete its contents). */
import { z } from 'zod';
import { jobBlobPrefixes } from '../core/blob-keys.js';
import { ImagefleetError } from '../core/errors.js';
import type { GroupDisposal } from '../engine/ports.js';
import { apiRoute } from './api-route.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema } from './schemas/common.js';
import { decodeCursor, pageOf } from './keyset-cursor.js';
import { groupCreateBodySchema, groupDeleteQuerySchema, groupImagesQuerySchema, groupPatchBodySchema } from './schemas/groups.js';
import { groupBody, resultItems } from './wire-format.js';

/** `GET /api/groups`. */
export const handleListGroups = apiRoute(
  async ({ url, fleet }) => {
    readQuery(url, z.strictObject({}));
    return Response.json({ items: (await fleet.store.groups.listGroupSummaries()).map(groupBody) });
  },
  { name: 'GET /api/groups' },
);

/** `POST /api/groups`. */
export const handleCreateGroup = apiRoute(
  async ({ request, fleet }) => {
    const { name } = await readJsonBody(request, groupCreateBodySchema);
    const group = await fleet.store.groups.createGroup(name);
    return Response.json(groupBody({ ...group, jobCount: 0, imageCount: 0 }), { status: 201, headers: { location: `/api/groups/${encodeURIComponent(group.id)}` } });
  },
  { name: 'POST /api/groups' },
);

/** `GET /api/groups/{id}`. */
export const handleGetGroup = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    const group = await fleet.store.groups.getGroupSummary(id);
    if (!group) throw new ImagefleetError('not_found', `No group with id ${id}.`);
    return Response.json(groupBody(group));
  },
  { name: 'GET /api/groups/{id}' },
);

/** `PATCH /api/groups/{id}` (rename). */
export const handlePatchGroup = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const { name } = await readJsonBody(request, groupPatchBodySchema);
    await fleet.store.groups.renameGroup(id, name);
    const group = await fleet.store.groups.getGroupSummary(id);
    if (!group) throw new ImagefleetError('not_found', `No group with id ${id}.`);
    return Response.json(groupBody(group));
  },
  { name: 'PATCH /api/groups/{id}' },
);

/** `DELETE /api/groups/{id}[?images=move&to=<id> | ?images=delete]`. */
export const handleDeleteGroup = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const query = readQuery(url, groupDeleteQuerySchema);
    const disposal: GroupDisposal | undefined =
      query.images === 'move' && query.to !== undefined ? { kind: 'move', targetGroupId: query.to } : query.images === 'delete' ? { kind: 'delete' } : undefined;
    const result = await fleet.store.groups.deleteGroup(id, disposal);
    // The rows are gone; now their files. A failure here leaves only unreferenced files behind.
    for (const jobId of result.deletedJobIds) {
      await Promise.resolve()
        .then(() => Promise.all(jobBlobPrefixes(jobId).map((prefix) => fleet.blobs.deletePrefix(prefix))))
        .catch((error: unknown) => fleet.logger.warn({ jobId, error: String(error) }, 'Could not remove the files of a deleted job.'));
    }
    return Response.json({
      deleted: true,
      movedJobs: result.movedJobs,
      movedImages: result.movedImages,
      deletedJobs: result.deletedJobIds.length,
      deletedImages: result.deletedImages,
    });
  },
  { name: 'DELETE /api/groups/{id}' },
);

/** Default page of a group's images: a few screens of thumbnails. */
const defaultGroupImagesLimit = 100;

/** `GET /api/groups/{id}/images`: the gallery, newest first, cursor-paged, filtered by prompt, favourite, status and job. */
export const handleListGroupImages = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const query = readQuery(url, groupImagesQuerySchema);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const group = await fleet.store.groups.getGroup(id);
    if (!group) throw new ImagefleetError('not_found', `No group with id ${id}.`);
    const limit = query.limit ?? defaultGroupImagesLimit;
    const status = query.status ?? 'kept';
    const rows = await fleet.store.images.listGroupImages({
      groupId: id,
      jobId: query.job,
      promptContains: query.prompt,
      sourceContains: query.source,
      favorite: query.favorite,
      discarded: status === 'all' ? undefined : status === 'discarded',
      after,
      limit: limit + 1,
    });
    const { items, nextCursor } = pageOf(rows, limit);
    // The exact total comes with the first page only: later pages belong to the same list.
    const total =
      after === undefined
        ? await fleet.store.images.countImages({ groupId: id, jobId: query.job, promptContains: query.prompt, sourceContains: query.source, favorite: query.favorite, discarded: status === 'all' ? undefined : status === 'discarded' })
        : null;
    return Response.json({ items: resultItems(items), nextCursor, total });
  },
  { name: 'GET /api/groups/{id}/images' },
);
