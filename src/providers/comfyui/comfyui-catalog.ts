/** Reads ComfyUI's checkpoints (`GET /models/checkpoints`) and LoRAs (`GET /models/loras`): file names, as workflows name them. */
import { z } from 'zod';
import { providerError } from '../contract.js';
import type { CatalogLists } from '../stable-diffusion/server-catalog.js';
import { requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';

const namesReply = z.array(z.string());
const catalogTimeoutMs = 10_000;

export async function readComfyuiCatalog(connection: ServerConnection): Promise<CatalogLists> {
  const [checkpoints, loras] = await Promise.all([
    requestServerJson(connection, { method: 'GET', path: '/models/checkpoints', timeoutMs: catalogTimeoutMs, action: 'listing checkpoints' }),
    requestServerJson(connection, { method: 'GET', path: '/models/loras', timeoutMs: catalogTimeoutMs, action: 'listing LoRAs' }),
  ]);
  const parsedCheckpoints = namesReply.safeParse(checkpoints);
  const parsedLoras = namesReply.safeParse(loras);
  if (!parsedCheckpoints.success || !parsedLoras.success) throw providerError('transient', 'ComfyUI listed its checkpoints or LoRAs in an unexpected shape.');
  return {
    checkpoints: parsedCheckpoints.data.map((fileName) => {
      // "sdxl/juggernaut.safetensors" → "juggernaut": short ids in jobs, the file name still accepted.
      const shortName = fileName.replace(/^.*[\\/]/, '').replace(/\.(safetensors|ckpt|pt|pth|bin)$/i, '');
      return { modelId: shortName, aliases: shortName === fileName ? [] : [fileName], wireName: fileName };
    }),
    loraNames: [...parsedLoras.data].sort((left, right) => left.localeCompare(right)),
  };
}
