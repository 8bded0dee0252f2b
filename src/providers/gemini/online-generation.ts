/**
 * The online lane: one generateContent call through the official SDK per image, with the
 * references inline, the per-attempt timeout and the caller's abort signal.
 */
import type { GoogleGenAI } from '@google/genai';
import type { GenerateRequest, GenerateResult } from '../contract.js';
import { providerError } from '../contract.js';
import { readOutputDimensions, outputMismatchWarnings } from './check-output-image.js';
import { fitInlineReferences } from './fit-inline-references.js';
import { geminiImageCostUsd } from './gemini-cost.js';
import { readGeminiProviderOptions } from './gemini-provider-options.js';
import { imageGenerationConfig, imageRequestParts, type ImageRequestInput } from './image-request.js';
import { mapGeminiError } from './map-gemini-error.js';
import type { GeminiModel } from './models.js';
import { readGenerateResponse } from './read-generate-response.js';
import { unsupportedSettingWarnings } from './unsupported-settings.js';

export interface OnlineGenerationContext {
  client: GoogleGenAI;
  apiKey: string;
  timeoutMs: number;
  knownModels: string;
  /** Limit on one inline request, bytes (Gemini's 20 MB; smaller in tests). */
  inlineRequestLimitBytes: number;
  now: () => number;
}

/** Makes one image online. Throws provider errors classified for the engine. */
export async function generateOnline(model: GeminiModel, request: GenerateRequest, context: OnlineGenerationContext): Promise<GenerateResult> {
  if (request.n !== 1) throw providerError('invalid', `Gemini makes one image per call; this call asked for ${request.n}.`);
  const { warnings: optionWarnings } = readGeminiProviderOptions(request.providerOptions);
  const fitted = await fitInlineReferences(request.references, Buffer.byteLength(request.prompt), context.inlineRequestLimitBytes);
  const input: ImageRequestInput = {
    prompt: request.prompt,
    referenceParts: fitted.images.map((image) => ({ inlineData: image })),
    size: request.size,
    aspectRatio: request.aspectRatio,
    seed: request.seed,
  };

  let response: unknown;
  try {
    response = await context.client.models.generateContent({
      model: model.wireId,
      contents: [{ role: 'user', parts: imageRequestParts(input) }],
      config: { ...imageGenerationConfig(model, input), abortSignal: request.signal },
    });
  } catch (error) {
    throw mapGeminiError(error, {
      apiKey: context.apiKey,
      action: `generating with ${model.name} (${model.wireId})`,
      notFoundMeans: 'model',
      knownModels: context.knownModels,
      signal: request.signal,
      timeoutMs: context.timeoutMs,
      nowMs: context.now(),
    });
  }

  const reply = readGenerateResponse(response);
  const dimensions = await readOutputDimensions(reply.bytes);
  return {
    images: [{ bytes: reply.bytes, mediaType: reply.mediaType, width: dimensions.width, height: dimensions.height, seed: request.seed }],
    warnings: [...unsupportedSettingWarnings(request), ...optionWarnings, ...fitted.warnings, ...outputMismatchWarnings(dimensions, request)],
    requestId: reply.responseId,
    costUsd: geminiImageCostUsd(model, request.size, 'online', reply.usage),
  };
}
