import { createHash } from 'node:crypto';
import { providerError, type GenerateRequest, type GenerateResult, type ImageProvider, type ModelCapabilities } from '../../src/providers/contract.js';
import { benchModelCapabilities } from './bench-model-capabilities.js';
import { apiKeyHeader, callerPidHeader, generatePath, type GenerateRequestBody, type ImageReplyBody } from './image-reply-protocol.js';
import { retryDelayMs } from './retry-delay.js';

export const httpBenchProviderId = 'bench-http';
export const httpBenchModelId = 'bench-http-model';

export interface HttpBenchProviderOptions {
  /** `http://127.0.0.1:<port>` of a fake server speaking `image-reply-protocol`. */
  baseUrl: string;
  apiKey: string;
  /** What the planner's time estimate assumes per call, ms. */
  typicalLatencyMs: number;
}

/**
 * An `ImageProvider` (id `bench-http`) that calls a benchmark fake server with `fetch`, mapping its
 * answers the way a real online provider must: 429 → rate limited with the server's delay
 * (RetryInfo, else Retry-After); 401/403 → paused; other 4xx → invalid; 5xx and network failures →
 * transient. An abort (cancel, lost lease, shutdown) is passed through untouched so the engine can
 * tell it apart from a provider failure.
 */
export function createHttpBenchProvider(options: HttpBenchProviderOptions): ImageProvider {
  const models: readonly ModelCapabilities[] = [benchModelCapabilities({ modelId: httpBenchModelId, displayName: 'HTTP benchmark model', typicalLatencyMs: options.typicalLatencyMs })];
  const fingerprint = createHash('sha256').update(options.apiKey).digest('hex').slice(0, 8);
  const url = new URL(generatePath, options.baseUrl);

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const body: GenerateRequestBody = { prompt: request.prompt, n: request.n };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [apiKeyHeader]: options.apiKey, [callerPidHeader]: String(process.pid) },
        body: JSON.stringify(body),
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw providerError('transient', `Could not reach the benchmark server (${describe(error)}).`, { cause: error });
    }

    if (response.status === 429) {
      const text = await response.text();
      const delayMs = retryDelayMs(text, response.headers.get('retry-after'), Date.now());
      throw providerError('rate_limited', 'The benchmark server answered 429 RESOURCE_EXHAUSTED.', delayMs === undefined ? {} : { retryAfterMs: delayMs });
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw providerError('paused', `The benchmark server refused the key (HTTP ${response.status}).`);
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw providerError('transient', `The benchmark server failed (HTTP ${response.status}).`);
    }
    if (!response.ok) {
      throw providerError('invalid', `The benchmark server rejected the request (HTTP ${response.status}): ${(await response.text()).slice(0, 200)}`);
    }

    let reply: ImageReplyBody;
    try {
      reply = (await response.json()) as ImageReplyBody;
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw providerError('transient', `The benchmark server sent a reply that is not JSON (${describe(error)}).`, { cause: error });
    }
    return {
      images: reply.images.map((image) => ({ bytes: new Uint8Array(Buffer.from(image.data, 'base64')), mediaType: image.mimeType, width: image.width, height: image.height })),
      warnings: [],
      requestId: reply.requestId,
    };
  }

  return {
    id: httpBenchProviderId,
    displayName: 'HTTP benchmark provider',
    models: () => models,
    credentialFingerprint: () => fingerprint,
    generate,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
