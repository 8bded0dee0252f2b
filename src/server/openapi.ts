/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the handlers
 * validate with (`GET /api/openapi.json`, rendered for people at `/api/docs`). Every route the app
 * serves is listed in `apiOperations`; a test checks the list against the route files.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBodySchema, idParamsSchema } from './schemas/common.js';
import { downloadBodySchema, downloadParamsSchema, downloadQuerySchema } from './schemas/download.js';
import { eventDataSchema, eventsQuerySchema } from './schemas/events.js';
import { groupCreateBodySchema, groupDeleteQuerySchema, groupDeletionSchema, groupImagesQuerySchema, groupListSchema, groupPatchBodySchema, groupSchema } from './schemas/groups.js';
import { imagePatchBodySchema, imageSchema, regenerateBodySchema, regenerateResponseSchema, upscaleBodySchema } from './schemas/images.js';
import {
  dryRunResponseSchema,
  jobControlResponseSchema,
  jobListQuerySchema,
  jobListResponseSchema,
  jobStatusSchema,
  pauseBodySchema,
  resultsQuerySchema,
  resultsResponseSchema,
  submitBodySchema,
  submitQuerySchema,
  submitResponseSchema,
} from './schemas/jobs.js';
import { providerListSchema, providersQuerySchema } from './schemas/providers.js';
import { referenceParamsSchema, referenceQuerySchema } from './schemas/references.js';
import { queuePatchBodySchema, queueResponseSchema } from './schemas/queue.js';
import { sessionBodySchema, sessionStateSchema, sessionsRevokedSchema } from './schemas/session.js';
import { taskCancelResponseSchema, taskListQuerySchema, taskListSchema } from './schemas/tasks.js';
import { deliveriesQuerySchema, deliveryListSchema, testWebhookBodySchema, testWebhookResponseSchema } from './schemas/webhooks.js';
import { assetSchema, uploadCheckBodySchema, uploadCheckResponseSchema, uploadFormSchema, uploadListQuerySchema, uploadListSchema, zipUploadResponseSchema } from './schemas/uploads.js';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), json(errorBodySchema, errorDescriptions[status] ?? 'Error.')]));
const errorDescriptions: Record<number, string> = {
  400: 'Invalid input; details.issues names each bad field.',
  401: 'The API token is needed (only when IMAGEFLEET_API_TOKEN is set).',
  403: 'A cross-origin browser request to a state-changing route.',
  404: 'No such resource.',
  409: 'Conflicts with the current state.',
  413: 'Over a size limit.',
  415: 'Wrong content type, or a file whose bytes are not an accepted type.',
  422: 'Well-formed but cannot be processed.',
  429: 'Too many concurrent requests of this kind; see Retry-After.',
  500: 'A bug; the message carries a request id to find the logged detail.',
  503: 'The engine or the data directory is unavailable.',
};
/** The health report (its fields are described in docs/api.md; they grow with the checks). */
const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'unavailable']).describe('ok: store reachable, engine running; degraded: see the other fields; unavailable: no engine in this process.'),
    version: z.string().optional(),
    message: z.string().optional().describe('With unavailable: why, for people.'),
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite'), path: z.string().describe('The database file.'), reachable: z.boolean() }),
        z.object({ kind: z.literal('postgres'), host: z.string().describe('Server host and port (never a password).'), database: z.string(), reachable: z.boolean() }),
      ])
      .optional()
      .describe('The store this process uses and whether it answered.'),
    blobs: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('files'), directory: z.string() }),
        z.object({ kind: z.literal('s3'), bucket: z.string(), prefix: z.string().describe('Key prefix: empty or ending with "/".'), endpoint: z.string().describe('S3 endpoint URL (never a credential).') }),
      ])
      .optional()
      .describe('The blob store this process uses.'),
  })
  .loose()
  .meta({ id: 'Health' });
const jsonBody = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema } } });
const multipartBody = { required: true, content: { 'multipart/form-data': { schema: uploadFormSchema } } };
const jobParams = idParamsSchema;

/** Every operation of the API. */
export const apiOperations: RouteConfig[] = [
  {
    method: 'post',
    path: '/api/uploads',
    tags: ['Uploads'],
    summary: 'Upload one reference image',
    description:
      'multipart/form-data with one field named file. Streamed to disk, type judged from the bytes (PNG, JPEG, WebP, AVIF), pixel limit checked before decoding, re-encoded without metadata, deduplicated by SHA-256: 201 for a new image, 200 (same id) when the same image was stored before.',
    request: { body: multipartBody },
    responses: { 201: json(assetSchema, 'Stored.'), 200: json(assetSchema, 'The same image was stored before; its asset.'), ...errors(400, 401, 403, 413, 415, 422) },
  },
  {
    method: 'post',
    path: '/api/uploads/zip',
    tags: ['Uploads'],
    summary: 'Upload a ZIP of reference images',
    description:
      'multipart/form-data with one field named file holding a .zip. Entries that would leave their folder, links, hidden files and non-images are rejected and listed with the reason; entry count and expanded size are bounded (413 before anything is stored). 422 when no entry could be stored.',
    request: { body: multipartBody },
    responses: { 201: json(zipUploadResponseSchema, 'At least one new image stored.'), 200: json(zipUploadResponseSchema, 'Every image was stored before.'), ...errors(400, 401, 403, 413, 415, 422) },
  },
  {
    method: 'post',
    path: '/api/uploads/check',
    tags: ['Uploads'],
    summary: 'Which files are stored already',
    description:
      'The SHA-256 of files as the client holds them (at most 1,000 per call); answers the stored asset for each hash the server knows, as uploaded bytes or as stored bytes. The web app hashes files in the browser and uploads only the unknown ones.',
    request: { body: jsonBody(uploadCheckBodySchema) },
    responses: { 200: json(uploadCheckResponseSchema, 'The known hashes and their assets.'), ...errors(400, 401, 403, 413, 415) },
  },
  {
    method: 'get',
    path: '/api/uploads',
    tags: ['Uploads'],
    summary: 'Earlier uploads (paged, newest first)',
    description: 'Stored reference images, newest first, each with the URL of the stored image and of a WebP thumbnail; page with cursor.',
    request: { query: uploadListQuerySchema },
    responses: { 200: json(uploadListSchema, 'One page.'), ...errors(400, 401) },
  },
  {
    method: 'get',
    path: '/api/uploads/{id}',
    tags: ['Uploads'],
    summary: 'A stored reference image',
    description: 'The image as stored (re-encoded without metadata), with an ETag.',
    request: { params: idParamsSchema },
    responses: { 200: { description: 'The image (image/png, image/jpeg or image/webp).', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, 304: { description: 'Not modified.' }, ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/uploads/{id}/thumb',
    tags: ['Uploads'],
    summary: 'A stored reference image’s thumbnail',
    description: 'WebP, at most 384 px on a side; made on the first request and kept in the blob store.',
    request: { params: idParamsSchema },
    responses: { 200: { description: 'WebP thumbnail.', content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } } }, 304: { description: 'Not modified.' }, ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: '/api/jobs/submit',
    tags: ['Jobs'],
    summary: 'Submit a job (or plan it with ?dryRun=1)',
    description:
      'Items of references × prompt × count, or the automatic shorthand (referenceIds, prompt, variationsPerImage). An item’s seed is its first image’s; its next images take seed+1, seed+2, …. With dryRun=1 the plan (tasks, images, cost per lane, time) is returned and nothing is created.',
    request: { query: submitQuerySchema, body: jsonBody(submitBodySchema) },
    responses: { 201: json(submitResponseSchema, 'Created; Location points at its status.'), 200: json(dryRunResponseSchema, 'Dry run: the plan only.'), ...errors(400, 401, 403, 409, 413, 415) },
  },
  {
    method: 'get',
    path: '/api/jobs',
    tags: ['Jobs'],
    summary: 'List jobs, newest first',
    description: 'Optionally of one group (groupId), mode or statuses (comma-separated), with image counts and progress; cursor paging.',
    request: { query: jobListQuerySchema },
    responses: { 200: json(jobListResponseSchema, 'One page of jobs.'), ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/jobs/{id}/status',
    tags: ['Jobs'],
    summary: 'Job status',
    description: 'Status, image counts per state, progress 0..1, rate, ETA, estimated and spent cost, current errors.',
    request: { params: jobParams },
    responses: { 200: json(jobStatusSchema, 'The status.'), ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/jobs/{id}/results',
    tags: ['Jobs'],
    summary: 'Job results (paged)',
    description: 'The job’s images in completion order, with URLs of the file and thumbnail; filter by prompt, prompt id, status (kept/discarded/all) and favourite; page with cursor.',
    request: { params: jobParams, query: resultsQuerySchema },
    responses: { 200: json(resultsResponseSchema, 'One page.'), ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/jobs/{id}/tasks',
    tags: ['Jobs'],
    summary: 'A job’s tasks (paged, plan order)',
    description: 'Every planned provider call with its status, prompt, set, seed of its first image, image count, progress (while running), error and image ids: enough to draw placeholders before images exist.',
    request: { params: jobParams, query: taskListQuerySchema },
    responses: { 200: json(taskListSchema, 'One page.'), ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: '/api/tasks/{id}/cancel',
    tags: ['Jobs'],
    summary: 'Cancel one task (aborts its call)',
    description: 'A queued or running task ends canceled; a call in flight is aborted and its result, if it still arrives, is refused (never billed). The job finishes when this was its last unfinished task. 409 for a task that already finished otherwise.',
    request: { params: idParamsSchema },
    responses: { 200: json(taskCancelResponseSchema, 'Canceled.'), ...errors(400, 401, 403, 404, 409) },
  },
  ...(['pause', 'resume', 'cancel', 'retry-failed'] as const).map(
    (action): RouteConfig => ({
      method: 'post',
      path: `/api/jobs/{id}/${action}`,
      tags: ['Jobs'],
      summary: { pause: 'Pause a job', resume: 'Resume a paused job', cancel: 'Cancel a job (aborts calls in flight)', 'retry-failed': 'Queue a job’s failed tasks again' }[action],
      description: {
        pause: 'No new calls start; calls in flight finish. Optional body {"reason"}.',
        resume: 'Only a paused job; 409 otherwise.',
        cancel: 'Queued and running tasks end canceled; 409 for a finished job.',
        'retry-failed': 'Failed (not blocked) tasks get fresh attempts; completed ones are never re-run.',
      }[action],
      request: { params: jobParams, ...(action === 'pause' ? { body: jsonBody(pauseBodySchema, false) } : {}) },
      responses: { 200: json(jobControlResponseSchema, 'The job after the change.'), ...errors(400, 401, 403, 404, 409) },
    }),
  ),
  {
    method: 'get',
    path: '/api/queue',
    tags: ['Queue'],
    summary: 'The queue',
    description: 'Unfinished jobs in scheduling order (priority, then jobs moved first, then jobs taking turns, then jobs moved last; paused jobs at the end) with their progress.',
    responses: { 200: json(queueResponseSchema, 'The queue.'), ...errors(401) },
  },
  {
    method: 'patch',
    path: '/api/queue',
    tags: ['Queue'],
    summary: 'Reorder the queue or change priorities',
    description: 'first: run these before the others of their priority, in this order; last: after them; reset: back to taking turns; priorities: new priorities. One transaction; answers the new queue.',
    request: { body: jsonBody(queuePatchBodySchema) },
    responses: { 200: json(queueResponseSchema, 'The new queue.'), ...errors(400, 401, 403, 404, 409) },
  },
  {
    method: 'get',
    path: '/api/webhooks/deliveries',
    tags: ['Webhooks'],
    summary: 'Webhook deliveries (newest first)',
    description: 'The outbox: one row per event and endpoint, with its state, attempts and last answer. Secrets and bodies are never listed.',
    request: { query: deliveriesQuerySchema },
    responses: { 200: json(deliveryListSchema, 'Deliveries, newest first.'), ...errors(400, 401) },
  },
  {
    method: 'post',
    path: '/api/webhooks/test',
    tags: ['Webhooks'],
    summary: 'Send a test event',
    description:
      'Queues one signed webhook.test delivery to the given url (or the server-wide IMAGEFLEET_WEBHOOK_URL) through the same outbox, signature and SSRF guard as job events; follow it in GET /api/webhooks/deliveries. A secret is generated when a url comes without one and returned this once.',
    request: { body: jsonBody(testWebhookBodySchema, false) },
    responses: { 202: json(testWebhookResponseSchema, 'Queued.'), ...errors(400, 401, 403) },
  },
  {
    method: 'get',
    path: '/api/groups',
    tags: ['Groups'],
    summary: 'List groups',
    description: 'Every group by name (ignoring case), each with its job and image counts.',
    responses: { 200: json(groupListSchema, 'Every group with its job and image counts, by name.'), ...errors(401) },
  },
  {
    method: 'post',
    path: '/api/groups',
    tags: ['Groups'],
    summary: 'Create a group',
    description: 'A new empty group. The name is trimmed and NFC-normalised; 409 when another group has it in any letter case.',
    request: { body: jsonBody(groupCreateBodySchema) },
    responses: { 201: json(groupSchema, 'Created.'), ...errors(400, 401, 403, 409) },
  },
  { method: 'get', path: '/api/groups/{id}', tags: ['Groups'], summary: 'Read a group', description: 'The group with its job and image counts.', request: { params: idParamsSchema }, responses: { 200: json(groupSchema, 'The group.'), ...errors(400, 401, 404) } },
  {
    method: 'patch',
    path: '/api/groups/{id}',
    tags: ['Groups'],
    summary: 'Rename a group',
    description: 'Same name rules as creating; renaming to a case variant of its own name is allowed.',
    request: { params: idParamsSchema, body: jsonBody(groupPatchBodySchema) },
    responses: { 200: json(groupSchema, 'The renamed group.'), ...errors(400, 401, 403, 404, 409) },
  },
  {
    method: 'delete',
    path: '/api/groups/{id}',
    tags: ['Groups'],
    summary: 'Delete a group',
    description: 'A non-empty group is refused (409) unless ?images=move&to=<groupId> (its jobs and images move there) or ?images=delete (its finished jobs, images and files are deleted; 409 while a job of it is unfinished).',
    request: { params: idParamsSchema, query: groupDeleteQuerySchema },
    responses: { 200: json(groupDeletionSchema, 'Deleted.'), ...errors(400, 401, 403, 404, 409) },
  },
  {
    method: 'get',
    path: '/api/groups/{id}/images',
    tags: ['Groups'],
    summary: 'A group’s images (paged, newest first)',
    description: 'The gallery of a group, newest first, with URLs of the file and thumbnail and what made each image (provider, model, cost share); filter by prompt, favourite, status (kept/discarded/all) and job; page with cursor.',
    request: { params: idParamsSchema, query: groupImagesQuerySchema },
    responses: { 200: json(resultsResponseSchema, 'One page.'), ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/images/{id}',
    tags: ['Images'],
    summary: 'An image file (or its metadata)',
    description: 'The file, with an exact Content-Length and an ETag. With Accept: application/json (and no image type) or ?format=json: the metadata instead.',
    request: { params: idParamsSchema, query: z.strictObject({ format: z.enum(['file', 'json']).optional() }) },
    responses: {
      200: { description: 'The image (image/png, image/jpeg or image/webp), or its metadata.', content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: imageSchema } } },
      304: { description: 'Not modified (If-None-Match).' },
      ...errors(400, 401, 404),
    },
  },
  {
    method: 'get',
    path: '/api/images/{id}/thumb',
    tags: ['Images'],
    summary: 'An image’s thumbnail',
    description: 'WebP, made when the image was stored, with an ETag.',
    request: { params: idParamsSchema },
    responses: { 200: { description: 'WebP, at most 384 px on a side.', content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } } }, 304: { description: 'Not modified.' }, ...errors(400, 401, 404) },
  },
  {
    method: 'patch',
    path: '/api/images/{id}',
    tags: ['Images'],
    summary: 'Mark an image favourite (or discarded)',
    description: 'Give favorite, discarded or both; the image as it is now.',
    request: { params: idParamsSchema, body: jsonBody(imagePatchBodySchema) },
    responses: { 200: json(imageSchema, 'The image after the change.'), ...errors(400, 401, 403, 404) },
  },
  {
    method: 'post',
    path: '/api/images/{id}/regenerate',
    tags: ['Images'],
    summary: 'Regenerate an image',
    description: 'A new studio job of one image with the same prompt, references, mask, model and settings and a new task key; with {"seed"} that seed is used (e.g. the image’s own), otherwise a random one; with {"count": 2 or 4} a set of variations with consecutive seeds; with {"strength": "subtle" or "strong"} variations of the picture itself (img2img strength 0.35 or 0.75 where the model has one, else the nearest behaviour, said in variation.note).',
    request: { params: idParamsSchema, body: jsonBody(regenerateBodySchema, false) },
    responses: { 201: json(regenerateResponseSchema, 'The new job.'), ...errors(400, 401, 403, 404) },
  },
  {
    method: 'post',
    path: '/api/images/{id}/reference',
    tags: ['Images'],
    summary: 'Use an image as a reference',
    description: 'Stores the generated image as a reference image (an asset, re-encoded and deduplicated like an upload), named after its seed: 201 when new, 200 when the same picture was stored before.',
    request: { params: idParamsSchema },
    responses: { 201: json(assetSchema, 'Stored.'), 200: json(assetSchema, 'Stored before; its asset.'), ...errors(400, 401, 403, 404) },
  },
  {
    method: 'post',
    path: '/api/images/{id}/upscale',
    tags: ['Images'],
    summary: 'Upscale an image',
    description: 'Like regenerate, at a larger size and with the image’s own seed, so exact-seed models draw the same picture with more pixels.',
    request: { params: idParamsSchema, body: jsonBody(upscaleBodySchema) },
    responses: { 201: json(regenerateResponseSchema, 'The new job.'), ...errors(400, 401, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/download/{groupId}',
    tags: ['Downloads'],
    summary: 'Download a group as a ZIP',
    description:
      'Streamed ZIP of stored (not recompressed) images with an exact Content-Length, ZIP64 when needed, folders from the path template (every segment sanitised, clashes numbered) and manifest.csv (file, prompt, seed, model, job, status, …). ?job=, ?ids= and ?favorites=1 narrow it.',
    request: { params: downloadParamsSchema, query: downloadQuerySchema },
    responses: { 200: { description: 'The archive.', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } }, ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: '/api/download/{groupId}',
    tags: ['Downloads'],
    summary: 'Download a selection as a ZIP (fields in the body)',
    description:
      'The same archive as GET, with job, ids, favorites and template sent as a form (application/x-www-form-urlencoded, ids separated by commas) or as JSON (ids may be an array): for selections of thousands of images, whose ids do not fit in a URL. A browser form posting here downloads with real progress.',
    request: {
      params: downloadParamsSchema,
      body: { required: false, content: { 'application/x-www-form-urlencoded': { schema: downloadQuerySchema }, 'application/json': { schema: downloadBodySchema } } },
    },
    responses: { 200: { description: 'The archive.', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } }, ...errors(400, 401, 403, 404, 413, 415) },
  },
  {
    method: 'get',
    path: '/api/events',
    tags: ['Events'],
    summary: 'Live events (Server-Sent Events)',
    description:
      'text/event-stream of job and task events: `id:` is the event id, `event:` its type, `data:` the JSON below. Resume with the Last-Event-ID header (or ?after=). ?job= filters to one job and, without Last-Event-ID, starts from its first event; otherwise the stream starts with new events. Heartbeat comments every 15 s.',
    request: { query: eventsQuerySchema },
    responses: { 200: { description: 'The stream.', content: { 'text/event-stream': { schema: eventDataSchema } } }, ...errors(400, 401, 404, 429) },
  },
  {
    method: 'get',
    path: '/api/health',
    tags: ['Server'],
    summary: 'Health',
    description: 'Store reachable, engine running, providers configured (never their keys). 503 when degraded.',
    responses: { 200: json(healthSchema, 'Healthy.'), 503: json(healthSchema, 'Degraded or not running.'), ...errors(401) },
  },
  {
    method: 'get',
    path: '/api/references/{sha256}',
    tags: ['Uploads'],
    summary: 'A reference image, by signed link (for remote workers)',
    description:
      'What a RunPod worker fetches when a request’s references are too big to send inline: the stored image with this SHA-256, for a link this server signed (IMAGEFLEET_PUBLIC_URL) and until it expires. No API token: the signature is the permission.',
    request: { params: referenceParamsSchema, query: referenceQuerySchema },
    responses: { 200: { description: 'The image file.', content: { 'image/*': { schema: z.string().meta({ format: 'binary' }) } } }, ...errors(400, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/providers',
    tags: ['Server'],
    summary: 'Providers and what their models can do',
    description:
      'Every provider imagefleet knows: configured ones with their models’ capabilities (sizes, aspect ratios, seeds, mask, LoRA, strength, lanes, prices), limits and pause state; the others with how to configure them. Never shows a key.',
    request: { query: providersQuerySchema },
    responses: { 200: json(providerListSchema, 'The providers.'), ...errors(400, 401) },
  },
  {
    method: 'get',
    path: '/api/session',
    tags: ['Server'],
    summary: 'Whether a token is needed and this request has it',
    description: 'For the web UI’s sign-in: authRequired is false on a token-less loopback server.',
    responses: { 200: json(sessionStateSchema, 'The session state.'), ...errors(400) },
  },
  {
    method: 'post',
    path: '/api/session',
    tags: ['Server'],
    summary: 'Sign in (web UI)',
    description:
      'Checks the API token once, stores a session and sets an http-only SameSite=Strict cookie carrying its signed id (never the token). The session ends after IMAGEFLEET_SESSION_TTL_MS, after IMAGEFLEET_SESSION_IDLE_MS without a request, on sign-out, on DELETE /api/sessions, or when the token changes.',
    request: { body: jsonBody(sessionBodySchema) },
    responses: { 200: json(sessionStateSchema, 'Signed in (Set-Cookie).'), ...errors(400, 401, 403, 429) },
  },
  {
    method: 'delete',
    path: '/api/session',
    tags: ['Server'],
    summary: 'Sign out',
    description: 'Revokes the session this browser’s cookie names (if it is validly signed) and clears the cookie. Other sessions are untouched.',
    responses: { 200: json(sessionStateSchema, 'Signed out (the cookie is cleared).'), ...errors(400, 403) },
  },
  {
    method: 'delete',
    path: '/api/sessions',
    tags: ['Server'],
    summary: 'Sign every browser out',
    description: 'Revokes every web session of this server (needs the token or a live session) and clears the caller’s cookie. API clients using the bearer token are not affected.',
    responses: { 200: json(sessionsRevokedSchema, 'The sessions were revoked.'), ...errors(400, 401, 403) },
  },
  { method: 'get', path: '/api/openapi.json', tags: ['Server'], summary: 'This document', description: 'OpenAPI 3.1, generated from the schemas the handlers validate with; its security says whether this server needs a token.', responses: { 200: { description: 'OpenAPI 3.1 JSON.', content: { 'application/json': { schema: z.object({}).loose() } } }, ...errors(400) } },
  { method: 'get', path: '/api/docs', tags: ['Server'], summary: 'The API documentation for people (HTML)', description: 'This document rendered as a page.', responses: { 200: { description: 'HTML.', content: { 'text/html': { schema: z.string() } } } } },
];

/** Routes that need no token: sign-in, the documentation, and signed reference links (the signature is the permission). */
const publicPaths = new Set(['/api/session', '/api/openapi.json', '/api/docs', '/api/references/{sha256}']);

/** Every tag the operations use, with what it groups. */
const apiTags = [
  { name: 'Uploads', description: 'Reference images: upload, list, fetch.' },
  { name: 'Jobs', description: 'Submit, follow and control jobs and their tasks.' },
  { name: 'Queue', description: 'The order in which jobs run.' },
  { name: 'Groups', description: 'Folders of results.' },
  { name: 'Images', description: 'Output images: fetch, mark, regenerate, upscale.' },
  { name: 'Downloads', description: 'Streamed ZIP archives of a group’s images.' },
  { name: 'Events', description: 'Live job and task events (Server-Sent Events).' },
  { name: 'Webhooks', description: 'Signed event deliveries to other programs: their log and a test event.' },
  { name: 'Server', description: 'Health, providers, sign-in and this document.' },
];

/**
 * `getJobsByIdStatus` for `GET /api/jobs/{id}/status`: method, then each path segment after `/api`
 * in camel case, parameters as `By<Name>`. Derived, so a new route cannot lack one.
 */
export function operationIdOf(method: string, routePath: string): string {
  const words = routePath
    .replace(/^\/api\//, '')
    .split('/')
    .map((segment) => (segment.startsWith('{') ? `by-${segment.slice(1, -1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== '');
  return [method.toLowerCase(), ...words.map((word) => word.charAt(0).toUpperCase() + word.slice(1))].join('');
}

export interface OpenApiOptions {
  /**
   * Whether this server has an API token. Without one (allowed on loopback only) no route needs a
   * token, and the served document says so. Default true: the document for any server.
   */
  tokenRequired?: boolean;
}

/** Builds the OpenAPI 3.1 document. */
export function buildOpenApiDocument(version: string, options: OpenApiOptions = {}): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const tokenRequired = options.tokenRequired ?? true;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'IMAGEFLEET_API_TOKEN (or the web UI’s session cookie). Needed only when the server has a token, which it must on a non-loopback address; a token-less loopback server’s document lists no security.',
  });
  for (const operation of apiOperations) {
    const needsToken = tokenRequired && !publicPaths.has(operation.path);
    // Any route can meet a bug (500) or an engine or data directory that is not there (503);
    // every route validates its query strictly (400); every body has a size and a type (413, 415).
    const generic = operation.path === '/api/docs' ? [500, 503] : operation.request?.body ? [400, 413, 415, 500, 503] : [400, 500, 503];
    const responses = { ...errors(...generic), ...operation.responses };
    registry.registerPath({ operationId: operationIdOf(operation.method, operation.path), security: needsToken ? [{ bearer: [] }] : [], ...operation, responses });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'imagefleet HTTP API',
      version,
      description:
        'Submit and control image-generation jobs, upload references, follow progress, fetch and download results. Errors are always {"error": {"code", "message", "details"?}}. See docs/api.md for examples.',
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'imagefleet maintainers (see the project README)' },
    },
    servers: [{ url: '/' }],
    tags: apiTags,
  });
}
