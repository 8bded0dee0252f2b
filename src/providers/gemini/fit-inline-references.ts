/**
 * Reference images travel inline (base64) in online requests, and a request over 20 MB is refused.
 * When the references would pass the limit they are scaled down (and re-encoded as JPEG) step by
 * step until the request fits, with a warning: a smaller reference serves the intent, a refused
 * request does not.
 */
import { jpegWithin } from '../../imaging/resize-image.js';
import { providerError, type ProviderImageInput } from '../contract.js';

/** Gemini's limit on one inline request. */
export const inlineRequestLimitBytes = 20 * 1024 * 1024;
/** Room kept for the JSON around the images (prompt, config, field names). */
const envelopeBytes = 64 * 1024;
/** Longest sides tried, largest first, when the references must shrink. */
const longSideStepsPixels = [3072, 2048, 1536, 1024, 768, 512] as const;
const jpegQuality = 88;

export interface InlineImage {
  mimeType: string;
  /** Base64 of the bytes. */
  data: string;
}

export interface FittedReferences {
  images: InlineImage[];
  warnings: string[];
}

/** The references as inline images that keep the request under `limitBytes`, shrunk only if needed. */
export async function fitInlineReferences(references: readonly ProviderImageInput[], promptBytes: number, limitBytes = inlineRequestLimitBytes): Promise<FittedReferences> {
  const budgetBytes = limitBytes - envelopeBytes - promptBytes;
  const original = references.map((reference) => ({ mimeType: reference.mediaType, data: Buffer.from(reference.bytes).toString('base64') }));
  if (base64Total(original) <= budgetBytes) return { images: original, warnings: [] };

  for (const longSidePixels of longSideStepsPixels) {
    const shrunk = await Promise.all(
      references.map(async (reference) => {
        const bytes = await jpegWithin(reference.bytes, longSidePixels, jpegQuality);
        return { mimeType: 'image/jpeg', data: bytes.toString('base64') };
      }),
    );
    if (base64Total(shrunk) <= budgetBytes) {
      return {
        images: shrunk,
        warnings: [`references: scaled down to at most ${longSidePixels} px (JPEG) to fit Gemini's ${Math.round(limitBytes / (1024 * 1024))} MB limit on one request`],
      };
    }
  }
  throw providerError('invalid', `The ${references.length} reference images do not fit Gemini's limit on one request even at ${longSideStepsPixels.at(-1)} px; use fewer references.`);
}

function base64Total(images: readonly InlineImage[]): number {
  return images.reduce((total, image) => total + image.data.length, 0);
}
