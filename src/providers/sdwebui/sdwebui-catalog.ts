/** Reads the web UI's checkpoints (`GET /sdapi/v1/sd-models`) and LoRAs (`GET /sdapi/v1/loras`). */
import { z } from 'zod';
import { providerError } from '../contract.js';
import type { CatalogLists } from '../stable-diffusion/server-catalog.js';
import { requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';

const sdModelsReply = z.array(z.looseObject({ title: z.string(), model_name: z.string() }));
const lorasReply = z.array(z.looseObject({ name: z.string(), alias: z.string().optional() }));

const catalogTimeoutMs = 10_000;

export async function readSdwebuiCatalog(connection: ServerConnection): Promise<CatalogLists> {
  const [models, loras] = await Promise.all([
    requestServerJson(connection, { method: 'GET', path: '/sdapi/v1/sd-models', timeoutMs: catalogTimeoutMs, action: 'listing checkpoints' }),
    requestServerJson(connection, { method: 'GET', path: '/sdapi/v1/loras', timeoutMs: catalogTimeoutMs, action: 'listing LoRAs' }),
  ]);
  const parsedModels = sdModelsReply.safeParse(models);
  const parsedLoras = lorasReply.safeParse(loras);
  if (!parsedModels.success || !parsedLoras.success) throw providerError('transient', 'The Stable Diffusion web UI listed its checkpoints or LoRAs in an unexpected shape.');
  return {
    checkpoints: parsedModels.data.map((model) => ({ modelId: model.model_name, aliases: model.title === model.model_name ? [] : [model.title], wireName: model.title })),
    // The prompt syntax <lora:name:weight> takes the file's name; sorted so pickers and messages are stable.
    loraNames: [...new Set(parsedLoras.data.map((lora) => lora.name))].sort((left, right) => left.localeCompare(right)),
  };
}
