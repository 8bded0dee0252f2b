/**
 * A Gemini stand-in with a hidden quota, for the learned-rate benchmark: `POST
 * /{v1beta|v1}/models/{model}:generateContent` on 127.0.0.1, decided by `HiddenQuotaPolicy` when the
 * request arrives (one policy for the project, or one per API key so clients can be compared side
 * by side). A refusal is answered at once: 429 RESOURCE_EXHAUSTED with QuotaFailure `quotaId`,
 * RetryInfo and `Retry-After`. An accepted call waits a seeded, jittered latency and returns a
 * solid-colour PNG with usage metadata, as the full fake does. Limits can change mid-run.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeImageDimensions, finalImageColour, solidPng } from './fake-images.js';
import { googleErrorBody, imageOutputTokens } from './fake-replies.js';
import { HiddenQuotaPolicy, type HiddenQuotaArrival, type HiddenQuotaLimits } from './hidden-quota-policy.js';

export interface HiddenQuotaServerOptions {
  limits: HiddenQuotaLimits;
  /** `project` (default): one quota for every key, as Google counts; `key`: one per API key. */
  scope?: 'project' | 'key';
  /** Accepted calls take a uniform time in [minMs, maxMs]. Default 2–4 s. */
  latencyMs?: { minMs: number; maxMs: number };
  /** Seed of the latency generator. Default 1. */
  seed?: number;
}

export interface HiddenQuotaServer {
  /** `http://127.0.0.1:<port>`: the `GEMINI_BASE_URL` to use. */
  readonly baseUrl: string;
  /** Every generateContent decision in arrival order (all policies), `client` = the API key. */
  arrivals(): HiddenQuotaArrival[];
  /** Changes the hidden limits from now on (every policy). */
  setLimits(limits: HiddenQuotaLimits): void;
  close(): Promise<void>;
}

export async function startHiddenQuotaServer(options: HiddenQuotaServerOptions): Promise<HiddenQuotaServer> {
  let limits = options.limits;
  const policies = new Map<string, HiddenQuotaPolicy>();
  const latency = options.latencyMs ?? { minMs: 2000, maxMs: 4000 };
  let randomState = options.seed ?? 1;
  const nextRandom = (): number => {
    randomState = (randomState * 1_103_515_245 + 12_345) % 2_147_483_648;
    return randomState / 2_147_483_648;
  };
  const timers = new Set<NodeJS.Timeout>();

  const policyFor = (apiKey: string, model: string): HiddenQuotaPolicy => {
    const scope = options.scope === 'key' ? `key:${apiKey}` : 'project';
    let policy = policies.get(scope);
    if (!policy) {
      policy = new HiddenQuotaPolicy(limits, model);
      policies.set(scope, policy);
    }
    return policy;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrivalMs = Date.now();
    const match = /^\/(v1beta|v1)\/models\/([^/:]+):generateContent$/.exec(new URL(request.url ?? '/', 'http://fake').pathname);
    if (request.method !== 'POST' || !match) {
      return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `The hidden-quota fake has no route for ${request.method ?? ''} ${request.url ?? ''}.`));
    }
    const model = match[2] ?? '';
    const apiKey = typeof request.headers['x-goog-api-key'] === 'string' ? request.headers['x-goog-api-key'] : '';
    if (apiKey === '') return sendJson(response, 403, googleErrorBody(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers. Please use API Key.'));
    // Decided at the arrival time (read before the body), as a front end counting requests would.
    const body = readBody(request);
    const { prompt, inlineImages, imageConfig } = requestFacts(await body);
    const inputTokens = Math.ceil(prompt.length / 4) + 258 * inlineImages;
    const decision = policyFor(apiKey, model).decide(arrivalMs, { client: apiKey, images: 1, inputTokens });
    if (!decision.accepted) {
      response.setHeader('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
      return sendJson(response, 429, decision.body);
    }
    const delayMs = latency.minMs + nextRandom() * (latency.maxMs - latency.minMs) - (Date.now() - arrivalMs);
    const { width, height } = fakeImageDimensions(model, imageConfig);
    const png = (await solidPng(width, height, finalImageColour)).toString('base64');
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (response.destroyed) return;
      const outputTokens = imageOutputTokens(model, typeof imageConfig?.imageSize === 'string' ? imageConfig.imageSize : '1K');
      sendJson(response, 200, {
        candidates: [{ index: 0, content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: png } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: inputTokens, candidatesTokenCount: outputTokens, totalTokenCount: inputTokens + outputTokens, candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: outputTokens }] },
        modelVersion: model,
        responseId: `hidden-${randomUUID().slice(0, 12)}`,
      });
    }, Math.max(0, delayMs));
    timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, googleErrorBody(500, 'INTERNAL', String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    arrivals: () => [...policies.values()].flatMap((policy) => policy.arrivals).sort((left, right) => left.arrivalMs - right.arrivalMs),
    setLimits: (next) => {
      limits = next;
      for (const policy of policies.values()) policy.setLimits(next);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function requestFacts(text: string): { prompt: string; inlineImages: number; imageConfig: Record<string, unknown> | undefined } {
  let body: Record<string, unknown> = {};
  try {
    body = (JSON.parse(text) as Record<string, unknown> | null) ?? {};
  } catch {
    body = {};
  }
  const contents = Array.isArray(body.contents) ? (body.contents as Array<{ parts?: Array<Record<string, unknown>> }>) : [];
  const parts = contents.flatMap((content) => (Array.isArray(content.parts) ? content.parts : []));
  const prompt = parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
  const inlineImages = parts.filter((part) => part.inlineData !== undefined || part.fileData !== undefined).length;
  const generationConfig = body.generationConfig as { imageConfig?: Record<string, unknown> } | undefined;
  return { prompt, inlineImages, imageConfig: generationConfig?.imageConfig };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
