/**
 * The generateContent request for one image: the prompt, the reference images (inline data
 * online, Files API references in a batch), image-only output and the image config. One place
 * builds it for both lanes, so they ask for exactly the same thing.
 */
import type { AspectRatio, ImageSize } from '../../core/image-size.js';
import type { GeminiModel } from './models.js';

/** One part of the user turn, in the REST / SDK field names. */
export type ImagePart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } };

/** `generationConfig` (REST) / `config` (SDK) for one image. */
export interface ImageGenerationConfig {
  responseModalities: ['IMAGE'];
  candidateCount: 1;
  imageConfig: { aspectRatio: AspectRatio; imageSize?: string };
  seed?: number;
}

export interface ImageRequestInput {
  prompt: string;
  /** Reference parts in the order the job lists them. */
  referenceParts: ImagePart[];
  size: ImageSize;
  aspectRatio: AspectRatio;
  seed: number | undefined;
}

/** The user turn: the prompt first, then the references in order (as Google's samples send them). */
export function imageRequestParts(input: ImageRequestInput): ImagePart[] {
  return [{ text: input.prompt }, ...input.referenceParts];
}

/** Image-only output, one candidate, the ratio, and the size where the model takes one. */
export function imageGenerationConfig(model: GeminiModel, input: ImageRequestInput): ImageGenerationConfig {
  const imageConfig: ImageGenerationConfig['imageConfig'] = { aspectRatio: input.aspectRatio };
  // Size classes go on the wire as Gemini spells them: "512", "1K", "2K", "4K" (uppercase K).
  if (model.acceptsImageSize) imageConfig.imageSize = input.size;
  const config: ImageGenerationConfig = { responseModalities: ['IMAGE'], candidateCount: 1, imageConfig };
  if (input.seed !== undefined) config.seed = toSignedInt32(input.seed);
  return config;
}

/** Gemini's seed is an int32; imagefleet's run 0..2^32−1. The same bits, read as signed. */
function toSignedInt32(seed: number): number {
  return seed | 0;
}
