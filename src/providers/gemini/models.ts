/**
 * The Gemini image models ("Nano Banana"), in one table: friendly names, the ids sent on the wire,
 * the retired ids users' specs still name, capabilities and dated prices. Jobs name a model by its
 * friendly name (`nano-banana-pro`) or by any of its ids; every name runs as the friendly one, so
 * limits and task keys do not depend on which name a spec used. Google renames and retires ids
 * often, so each wire id can be replaced through the environment (`GEMINI_MODEL_*`).
 */
import type { GeminiModelIdOverrides } from './model-id-overrides.js';
import type { AspectRatio, ImageSize } from '../../core/image-size.js';
import type { ModelCapabilities, PriceTable } from '../contract.js';

/** Friendly model names, as jobs and the UI name them. */
export const geminiModelNames = ['nano-banana', 'nano-banana-pro', 'nano-banana-2'] as const;
export type GeminiModelName = (typeof geminiModelNames)[number];

/** When the prices and ids below were checked (docs/reference "Facts gathered"); re-check before quoting. */
export const geminiPricesCheckedOn = '2026-11-21';

/** The ten ratios of 2.5 Flash Image and 3 Pro Image. */
const standardAspectRatios: readonly AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** Token prices that turn a reply's usage metadata into a cost, USD per million tokens (online; batch is half). */
export interface GeminiTokenPrices {
  /** Image output tokens. */
  imageOutputPerMillionUsd: number;
  /** Input tokens (prompt and reference images); undefined where no price was found. */
  inputPerMillionUsd: number | undefined;
}

/** One row of the table: what the provider needs beyond the contract's capabilities. */
export interface GeminiModel {
  name: GeminiModelName;
  /** Id sent to Google (the built-in one, or the `GEMINI_MODEL_*` override). */
  wireId: string;
  /**
   * Whether the model takes `imageConfig.imageSize`. 2.5 Flash Image has one fixed size (~1 MP)
   * and takes none.
   */
  acceptsImageSize: boolean;
  tokenPrices: GeminiTokenPrices;
  capabilities: ModelCapabilities;
}

interface ModelRow {
  name: GeminiModelName;
  displayName: string;
  builtInWireId: string;
  /** Other ids that mean this model: retired previews the users' specs still name. */
  formerIds: readonly string[];
  maxReferenceImages: number;
  sizes: readonly ImageSize[];
  acceptsImageSize: boolean;
  aspectRatios: readonly AspectRatio[];
  /** Online price per image by size; the batch lane costs half. */
  onlinePriceUsd: Partial<Record<ImageSize, number>>;
  tokenPrices: GeminiTokenPrices;
  typicalLatencyMs: number;
  description: string;
}

/**
 * Prices: Gemini Developer API, paid tier, per output image, from third-party mirrors of Google's
 * pricing page (checked `geminiPricesCheckedOn`). Batch = 50 % of online. Reference counts: 2.5
 * Flash "works best with up to 3"; the Gemini 3 models take up to 14. Latencies are rough figures
 * for time estimates only.
 */
const modelRows: readonly ModelRow[] = [
  {
    name: 'nano-banana',
    displayName: 'Nano Banana (Gemini 2.5 Flash Image)',
    builtInWireId: 'gemini-2.5-flash-image',
    formerIds: ['gemini-2.5-flash-image-preview'],
    maxReferenceImages: 3,
    sizes: ['1K'],
    acceptsImageSize: false,
    aspectRatios: standardAspectRatios,
    onlinePriceUsd: { '1K': 0.039 },
    tokenPrices: { imageOutputPerMillionUsd: 30, inputPerMillionUsd: 0.3 },
    typicalLatencyMs: 10_000,
    description: 'Fast and cheap; one fixed size (about 1 megapixel); up to 3 reference images.',
  },
  {
    name: 'nano-banana-pro',
    displayName: 'Nano Banana Pro (Gemini 3 Pro Image)',
    builtInWireId: 'gemini-3-pro-image',
    formerIds: ['gemini-3-pro-image-preview'],
    maxReferenceImages: 14,
    sizes: ['1K', '2K', '4K'],
    acceptsImageSize: true,
    aspectRatios: standardAspectRatios,
    onlinePriceUsd: { '1K': 0.134, '2K': 0.134, '4K': 0.24 },
    tokenPrices: { imageOutputPerMillionUsd: 120, inputPerMillionUsd: 2 },
    typicalLatencyMs: 25_000,
    description: 'Highest quality, up to 4K, up to 14 reference images; slower and dearer. No free tier.',
  },
  {
    name: 'nano-banana-2',
    displayName: 'Nano Banana 2 (Gemini 3.1 Flash Image)',
    builtInWireId: 'gemini-3.1-flash-image',
    formerIds: ['gemini-3.1-flash-image-preview'],
    maxReferenceImages: 14,
    sizes: ['512', '1K', '2K', '4K'],
    acceptsImageSize: true,
    aspectRatios: [...standardAspectRatios, '1:4', '4:1', '1:8', '8:1'],
    onlinePriceUsd: { '512': 0.045, '1K': 0.067, '2K': 0.101, '4K': 0.151 },
    tokenPrices: { imageOutputPerMillionUsd: 60, inputPerMillionUsd: undefined },
    typicalLatencyMs: 15_000,
    description: 'Fast, 512 to 4K, extra-wide and extra-tall ratios, up to 14 reference images.',
  },
];

/** The batch lane's share of the online price. */
export const batchPriceFactor = 0.5;

/** The models with their wire ids (overrides applied), in table order. */
export function geminiModelTable(overrides: GeminiModelIdOverrides = {}): GeminiModel[] {
  return modelRows.map((row) => {
    const wireId = overrides[row.name] ?? row.builtInWireId;
    const aliases = [...new Set([wireId, row.builtInWireId, ...row.formerIds])];
    const pricePerImageUsd: PriceTable = {};
    for (const size of row.sizes) {
      const online = row.onlinePriceUsd[size];
      if (online !== undefined) pricePerImageUsd[size] = { online, batch: roundPrice(online * batchPriceFactor) };
    }
    return {
      name: row.name,
      wireId,
      acceptsImageSize: row.acceptsImageSize,
      tokenPrices: row.tokenPrices,
      capabilities: {
        modelId: row.name,
        aliases,
        displayName: row.displayName,
        description: `${row.description} Sent as ${wireId}.`,
        maxReferenceImages: row.maxReferenceImages,
        // Google documents the seed as best-effort repeatability, never as identical images.
        seedSupport: 'best-effort',
        sizes: row.sizes,
        aspectRatios: row.aspectRatios,
        supportsMask: false,
        supportsLora: false,
        supportsNegativePrompt: false,
        supportsStrength: false,
        // "The model won't always follow the exact number of image outputs": one image per request.
        maxImagesPerCall: 1,
        lanes: ['online', 'batch'],
        pricePerImageUsd,
        typicalLatencyMs: row.typicalLatencyMs,
      },
    };
  });
}

/** The row for a job's model id (friendly name or alias), or undefined. */
export function findGeminiModel(models: readonly GeminiModel[], modelId: string): GeminiModel | undefined {
  return models.find((model) => model.name === modelId) ?? models.find((model) => model.capabilities.aliases?.includes(modelId));
}

/** "nano-banana (gemini-2.5-flash-image), …": what to tell someone who named an unknown model. */
export function describeKnownModels(models: readonly GeminiModel[]): string {
  return models.map((model) => `${model.name} (${model.wireId})`).join(', ');
}

function roundPrice(amountUsd: number): number {
  return Math.round(amountUsd * 1_000_000) / 1_000_000;
}
