/**
 * Puts a reference or mask into ComfyUI's input folder (`POST /upload/image`) under a name made
 * from its SHA-256, so a reference used by many prompts is one file and an upload repeated after a
 * retry overwrites the same file instead of adding another.
 */
import { z } from 'zod';
import type { ProviderImageInput } from '../contract.js';
import { providerError } from '../contract.js';
import { requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';

const uploadReply = z.looseObject({ name: z.string(), subfolder: z.string().default('') });

const extensionByMediaType: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Uploads the image and returns the name a LoadImage / LoadImageMask node takes (`subfolder/name`). */
export async function uploadInputImage(connection: ServerConnection, image: ProviderImageInput, role: 'reference' | 'mask', signal: AbortSignal, timeoutMs: number): Promise<string> {
  const fileName = `imagefleet-${role}-${image.sha256.slice(0, 32)}.${extensionByMediaType[image.mediaType] ?? 'png'}`;
  const form = new FormData();
  form.append('image', new Blob([Buffer.from(image.bytes)], { type: image.mediaType }), fileName);
  form.append('type', 'input');
  form.append('overwrite', 'true');
  const reply = await requestServerJson(connection, { method: 'POST', path: '/upload/image', body: form, signal, timeoutMs, action: `uploading the ${role} image` });
  const parsed = uploadReply.safeParse(reply);
  if (!parsed.success) throw providerError('transient', `ComfyUI answered the ${role} upload without a file name.`);
  return parsed.data.subfolder === '' ? parsed.data.name : `${parsed.data.subfolder}/${parsed.data.name}`;
}
