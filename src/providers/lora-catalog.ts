/**
 * Providers whose LoRAs come from the server they talk to (`sdwebui`, `comfyui`) list them through
 * this interface, so the web studio and the HTTP API can offer the names a job may use without
 * knowing which provider it is. The names are cached; `refreshCatalog` asks the server again.
 */
import type { ImageProvider } from './contract.js';

export interface LoraCatalog {
  /** LoRA names exactly as jobs must write them (`settings.loras[].name`), as of the last refresh. */
  loraNames(): readonly string[];
  /** Reads the server's checkpoints and LoRAs again; resolves (never rejects) when done or failed. */
  refreshCatalog(): Promise<void>;
}

/** The provider's LoRA catalog, when it has one. */
export function loraCatalogOf(provider: ImageProvider): LoraCatalog | undefined {
  const candidate = provider as Partial<LoraCatalog>;
  return typeof candidate.loraNames === 'function' && typeof candidate.refreshCatalog === 'function' ? (candidate as ImageProvider & LoraCatalog) : undefined;
}
