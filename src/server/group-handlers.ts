/** Group routes: list, create, read, rename, delete (refusing a non-empty group unless asked to move or delete its contents). */
import { z } from 'zod';
import type { GroupDisposal } from '../engine/ports.js';
import { createGroup } from '../operations/create-group.js';
import { deleteGroup } from '../operations/delete-group.js';
import { getGroup } from '../operations/get-group.js';
import { listGroupImages } from '../operations/list-group-images.js';
import { listGroups } from '../operations/list-groups.js';
import { renameGroup } from '../operations/rename-group.js';
import { apiRoute } from './api-route.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema } from './schemas/common.js';
import { decodeCursor, nextCursorOf } from './keyset-cursor.js';
import { groupCreateBodySchema, groupDeleteQuerySchema, groupImagesQuerySchema, groupPatchBodySchema } from './schemas/groups.js';
import { groupBody, resultItems } from './wire-format.js';

/** `GET /api/groups`. */
export const handleListGroups = apiRoute(
  async ({ url, fleet }) => {
    readQuery(url, z.strictObject({}));
    return Response.json({ items: (await listGroups({}, fleet)).map(groupBody) });
  },
  { name: 'GET /api/groups' },
);

/** `POST /api/groups`. */
export const handleCreateGroup = apiRoute(
  async ({ request, fleet }) => {
    const { name } = await readJsonBody(request, groupCreateBodySchema);
    const group = await createGroup({ name }, fleet);
    return Response.json(groupBody(group), { status: 201, headers: { location: `/api/groups/${encodeURIComponent(group.id)}` } });
  },
  { name: 'POST /api/groups' },
);

/** `GET /api/groups/{id}`. */
export const handleGetGroup = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    return Response.json(groupBody(await getGroup({ groupId: id }, fleet)));
  },
  { name: 'GET /api/groups/{id}' },
);

/** `PATCH /api/groups/{id}` (rename). */
export const handlePatchGroup = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const { name } = await readJsonBody(request, groupPatchBodySchema);
    return Response.json(groupBody(await renameGroup({ groupId: id, name }, fleet)));
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
    const result = await deleteGroup({ groupId: id, disposal }, fleet);
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
    const limit = query.limit ?? defaultGroupImagesLimit;
    const page = await listGroupImages(
      { groupId: id, jobId: query.job, promptContains: query.prompt, sourceContains: query.source, favorite: query.favorite, status: query.status, after, limit },
      fleet,
    );
    return Response.json({ items: resultItems(page.images), nextCursor: nextCursorOf(page.images, page.hasMore), total: page.total });
  },
  { name: 'GET /api/groups/{id}/images' },
);
