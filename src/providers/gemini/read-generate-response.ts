/**
 * Reads one generateContent reply (online, or a line of a batch result file): finds the image,
 * or says why there is none. Thought images (interim drafts of the Gemini 3 models) are skipped and
 * the last non-thought image is taken; blocks end the task, a reply without an image is worth a
 * bounded retry.
 */
import { providerError } from '../contract.js';

/** Token counts from `usageMetadata`, where the reply gives them. */
export interface GeminiUsage {
  promptTokens: number | undefined;
  imageOutputTokens: number | undefined;
}

export interface GeminiReply {
  bytes: Uint8Array;
  mediaType: string;
  usage: GeminiUsage | undefined;
  /** `responseId`, kept as the request id in provenance. */
  responseId: string | undefined;
}

/** Finish reasons that mean the content was refused: retrying the same request will not help. */
const blockingFinishReasons = new Set(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII']);

const textExcerptLength = 200;

/**
 * The image of a reply, or a thrown provider error: `blocked` for a blocked prompt or a blocking
 * finish reason, `transient` for NO_IMAGE or a reply without a (non-thought) image part.
 */
export function readGenerateResponse(response: unknown): GeminiReply {
  const reply = asRecord(response);
  const feedback = asRecord(reply?.promptFeedback);
  const blockReason = stringField(feedback, 'blockReason');
  if (blockReason !== undefined && blockReason !== 'BLOCKED_REASON_UNSPECIFIED') {
    const detail = stringField(feedback, 'blockReasonMessage');
    throw providerError('blocked', `Gemini blocked the prompt (${blockReason})${detail ? `: ${detail}` : ''}.`);
  }
  const candidates = Array.isArray(reply?.candidates) ? reply.candidates : [];
  const candidate = asRecord(candidates[0]);
  // The finish reason sits on the candidate, beside `content`, not inside it.
  const finishReason = stringField(candidate, 'finishReason');
  if (finishReason !== undefined && blockingFinishReasons.has(finishReason)) {
    throw providerError('blocked', `Gemini refused to make this image (finish reason ${finishReason}).`);
  }

  const parts = (Array.isArray(asRecord(candidate?.content)?.parts) ? (asRecord(candidate?.content)?.parts as unknown[]) : []).map(asRecord);
  let image: { data: string; mediaType: string } | undefined;
  const texts: string[] = [];
  for (const part of parts) {
    if (part === undefined || part.thought === true) continue;
    const inline = asRecord(part.inlineData ?? part.inline_data);
    const data = stringField(inline, 'data');
    const mediaType = stringField(inline, 'mimeType') ?? stringField(inline, 'mime_type') ?? 'image/png';
    if (data !== undefined && mediaType.startsWith('image/')) image = { data, mediaType };
    const text = stringField(part, 'text');
    if (text !== undefined) texts.push(text);
  }
  if (!image) {
    if (finishReason === 'NO_IMAGE') throw providerError('transient', 'Gemini returned no image (finish reason NO_IMAGE).');
    const said = texts.join(' ').replace(/\s+/g, ' ').trim();
    const excerpt = said.length > textExcerptLength ? `${said.slice(0, textExcerptLength - 1)}…` : said;
    throw providerError(
      'transient',
      `Gemini replied without an image (finish reason ${finishReason ?? 'none'})${excerpt ? `; it said: "${excerpt}"` : ''}.`,
    );
  }

  return {
    bytes: new Uint8Array(Buffer.from(image.data, 'base64')),
    mediaType: image.mediaType,
    usage: readUsage(asRecord(reply?.usageMetadata)),
    responseId: stringField(reply, 'responseId'),
  };
}

function readUsage(metadata: Record<string, unknown> | undefined): GeminiUsage | undefined {
  if (!metadata) return undefined;
  const details = Array.isArray(metadata.candidatesTokensDetails) ? metadata.candidatesTokensDetails.map(asRecord) : [];
  const imageDetail = details.find((detail) => detail?.modality === 'IMAGE');
  const imageOutputTokens = numberField(imageDetail, 'tokenCount');
  const promptTokens = numberField(metadata, 'promptTokenCount');
  if (imageOutputTokens === undefined && promptTokens === undefined) return undefined;
  return { promptTokens, imageOutputTokens };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringField(record: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return typeof value === 'string' ? value : undefined;
}

function numberField(record: Record<string, unknown> | undefined, field: string): number | undefined {
  const value = record?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
