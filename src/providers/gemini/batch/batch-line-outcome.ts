/**
 * Turns one line of a batch result file into the task's outcome: the image (read exactly like an
 * online reply, at the batch price), or the error Google recorded for that request.
 */
import { isImagefleetError, type ImagefleetError } from '../../../core/errors.js';
import { providerError, type GenerateResult } from '../../contract.js';
import { outputMismatchWarnings, readOutputDimensions } from '../check-output-image.js';
import { geminiImageCostUsd } from '../gemini-cost.js';
import type { GeminiModel } from '../models.js';
import { readGenerateResponse } from '../read-generate-response.js';
import type { BatchHandle } from './batch-handle.js';

export type BatchLineOutcome = { kind: 'done'; result: GenerateResult } | { kind: 'failed'; error: ImagefleetError };

/** Statuses of a line error that a resubmission cannot fix. */
const permanentStatuses = new Set(['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE', 'NOT_FOUND', 'PERMISSION_DENIED', 'UNAUTHENTICATED']);
/** The same as gRPC and HTTP codes, for errors without a status name. */
const permanentCodes = new Set([3, 9, 11, 5, 7, 16, 400, 401, 403, 404]);

export async function readBatchLine(line: unknown, handle: BatchHandle, model: GeminiModel): Promise<BatchLineOutcome> {
  const record = typeof line === 'object' && line !== null ? (line as Record<string, unknown>) : {};
  const error = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : undefined;
  if (error) return { kind: 'failed', error: lineError(error, handle) };
  try {
    const reply = readGenerateResponse(record.response);
    const dimensions = await readOutputDimensions(reply.bytes);
    return {
      kind: 'done',
      result: {
        images: [{ bytes: reply.bytes, mediaType: reply.mediaType, width: dimensions.width, height: dimensions.height }],
        warnings: outputMismatchWarnings(dimensions, handle),
        requestId: reply.responseId ?? `${handle.batchName}#${handle.key}`,
        costUsd: geminiImageCostUsd(model, handle.size, 'batch', reply.usage),
      },
    };
  } catch (thrown) {
    if (isImagefleetError(thrown)) return { kind: 'failed', error: thrown };
    throw thrown;
  }
}

function lineError(error: Record<string, unknown>, handle: BatchHandle): ImagefleetError {
  const status = typeof error.status === 'string' ? error.status : undefined;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const said = [code, status].filter((part) => part !== undefined).join(' ');
  const message = `Gemini batch ${handle.batchName} failed this request (${said || 'no code'}${typeof error.message === 'string' ? `: ${error.message}` : ''}).`;
  const permanent = (status !== undefined && permanentStatuses.has(status)) || (code !== undefined && permanentCodes.has(code));
  return providerError(permanent ? 'invalid' : 'transient', message);
}
