/**
 * The wire format shared by the benchmark's fake servers and `http-bench-provider`: a JSON request
 * with the prompt, and a JSON reply carrying base64 images, the way Gemini's generateContent
 * returns inline image data.
 */

/** Path both fake servers answer on. */
export const generatePath = '/v1/generate';

/** Header that carries the API key (the quota server keeps one window per key). */
export const apiKeyHeader = 'x-api-key';

/**
 * Header naming the calling process, so the recovery audit can tell a repeat by the next worker
 * (after a kill) from a repeat inside one living worker, however the kill and the arrival interleave.
 */
export const callerPidHeader = 'x-caller-pid';

export interface GenerateRequestBody {
  prompt: string;
  /** Images asked for. */
  n: number;
}

export interface ImageReplyBody {
  requestId: string;
  images: Array<{ mimeType: string; data: string; width: number; height: number }>;
}

/** Builds the success reply: `count` copies of one PNG. */
export function imageReplyBody(png: Uint8Array, sidePixels: number, count: number, requestId: string): ImageReplyBody {
  const data = Buffer.from(png).toString('base64');
  return { requestId, images: Array.from({ length: count }, () => ({ mimeType: 'image/png', data, width: sidePixels, height: sidePixels })) };
}

/** Reads a request body the provider sent; anything malformed becomes an empty prompt asking for one image. */
export function parseGenerateRequestBody(text: string): GenerateRequestBody {
  try {
    const parsed = JSON.parse(text) as Partial<GenerateRequestBody>;
    const count = typeof parsed.n === 'number' && Number.isInteger(parsed.n) && parsed.n > 0 ? Math.min(parsed.n, 4) : 1;
    return { prompt: typeof parsed.prompt === 'string' ? parsed.prompt : '', n: count };
  } catch {
    return { prompt: '', n: 1 };
  }
}
