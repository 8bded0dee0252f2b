/**
 * The results of a session: `list_results` (paged image ids with their call, prompt, seed and size)
 * and `get_image` (one image as MCP image content: the stored WebP thumbnail by default, the full
 * image on request, bounded in size), each with its provenance.
 */
import { z } from 'zod';
import { findSessionRecord } from '../cli/session/session-records.js';
import type { GeneratedImage } from '../core/image.js';
import type { Job } from '../core/job.js';
import type { BlobStore } from '../engine/ports.js';
import { webpWithin } from '../imaging/resize-image.js';
import { formatSessionJobId } from '../core/session-log.js';
import { getImage as getStoredImage } from '../operations/get-image.js';
import { getImageThumbnail } from '../operations/get-image-thumbnail.js';
import { getJob } from '../operations/get-job.js';
import { listCliSessionResults } from '../operations/list-cli-session-calls.js';
import { relabelNotFound } from '../cli/relabel-not-found.js';
import { sessionOperationDependencies } from '../cli/session/session-operation-wiring.js';
import { openMcpFleet, withSession, type McpContext } from './mcp-context.js';
import { sessionArgument } from './tool-arguments.js';
import { defineTool, type McpTool } from './tool-registry.js';

/** A full image larger than this is re-encoded (WebP, at most `fullImageMaxSidePixels` a side) before it is sent. */
export const fullImageMaxBytes = 4 * 1024 * 1024;
export const fullImageMaxSidePixels = 2048;

/** Where the image's file is on this machine, when blobs are files here; null for a remote store (S3), whose copy would be temporary. */
async function storedFilePath(blobs: BlobStore, key: string): Promise<string | null> {
  const materialized = await blobs.materialize(key);
  await materialized.release();
  return materialized.isStoredFile ? materialized.filePath : null;
}

function resultItem(image: GeneratedImage, callId: string, job: Job): Record<string, unknown> {
  return {
    image_id: image.id,
    call_id: callId,
    index: image.index,
    prompt_id: image.promptId,
    seed: image.seed ?? null,
    width: image.width,
    height: image.height,
    size: job.settings.size,
    media_type: image.mediaType,
    byte_size: image.byteSize,
    favorite: image.favorite,
    created: new Date(image.createdAtMs).toISOString(),
  };
}

export function resultTools(context: McpContext): McpTool[] {
  const listResults = defineTool({
    name: 'list_results',
    title: 'List result images',
    description: 'The images a session made, in completion order, paged: image_id (for get_image), the call id of the session log, prompt, seed and pixel size.',
    input: z.strictObject({
      session: sessionArgument,
      limit: z.number().int().min(1).max(100).default(20).describe('Images per page, 1–100 (default 20).'),
      offset: z.number().int().min(0).default(0).describe('Images to skip (next_offset of the previous page).'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      return {
        structured: await withSession(context, args.session, async ({ fleet, record, job }) => {
          const listed = await listCliSessionResults({ jobId: job.id, limit: args.limit, offset: args.offset }, sessionOperationDependencies(fleet));
          return {
            value: {
              session_id: record.session_id,
              images: listed.images.map(({ image, callOrdinal }) => resultItem(image, formatSessionJobId(callOrdinal, listed.callIdWidth), job)),
              next_offset: listed.nextOffset ?? null,
              out: record.out,
            },
          };
        }),
      };
    },
  });

  const getImage = defineTool({
    name: 'get_image',
    title: 'Get one image',
    description: `One result image as image content, with its provenance (prompt, seed, model, session, call). By default the WebP thumbnail (at most 384 px a side); full: true sends the image itself (re-encoded to WebP at most ${fullImageMaxSidePixels} px a side when it is over ${fullImageMaxBytes / 1024 / 1024} MB).`,
    input: z.strictObject({
      image_id: z.string().trim().min(1, { error: 'must not be empty' }).describe('An image_id from list_results.'),
      full: z.boolean().default(false).describe('Send the full image instead of the thumbnail.'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(args) {
      const fleet = await openMcpFleet(context);
      try {
        const image = await getStoredImage({ imageId: args.image_id }, fleet).catch(relabelNotFound(`There is no image "${args.image_id}"; list_results lists a session's image ids.`));
        const job = await getJob({ jobId: image.jobId }, fleet).catch(relabelNotFound(`The job of image "${args.image_id}" no longer exists.`));
        let data: Buffer;
        let mimeType: string;
        let variant: string;
        if (!args.full) {
          // Rebuilt from the output first when a power cut tore it (decision 0048).
          data = Buffer.from(await fleet.blobs.read((await getImageThumbnail({ imageId: image.id }, fleet)).thumbnailKey));
          mimeType = 'image/webp';
          variant = 'thumbnail';
        } else {
          data = Buffer.from(await fleet.blobs.read(image.fileKey));
          mimeType = image.mediaType;
          variant = 'full';
          if (data.byteLength > fullImageMaxBytes) {
            data = await webpWithin(data, fullImageMaxSidePixels, 90);
            mimeType = 'image/webp';
            variant = `full, re-encoded to WebP within ${fullImageMaxSidePixels} px`;
          }
        }
        const sessionId = job.mode === 'cli' ? job.name : undefined;
        const record = sessionId === undefined ? undefined : await findSessionRecord(fleet.config, sessionId).catch(() => undefined);
        const provenance = {
          image_id: image.id,
          variant,
          session_id: record?.session_id ?? null,
          job_id: job.id,
          task_id: image.taskId,
          prompt_id: image.promptId,
          prompt: image.prompt,
          seed: image.seed ?? null,
          provider: job.provider,
          model: job.model,
          size: job.settings.size,
          aspect: job.settings.aspectRatio,
          width: image.width,
          height: image.height,
          media_type: image.mediaType,
          created: new Date(image.createdAtMs).toISOString(),
          stored_file: await storedFilePath(fleet.blobs, image.fileKey),
          ...(record ? { out: record.out } : {}),
        };
        return {
          summary: `Image ${image.id} (${variant}): ${image.width}×${image.height} ${job.provider}/${job.model}, seed ${image.seed ?? 'none'}, prompt "${image.prompt.slice(0, 200)}"`,
          structured: provenance,
          images: [{ data: data.toString('base64'), mimeType }],
        };
      } finally {
        await fleet.stop();
      }
    },
  });

  return [listResults, getImage];
}
