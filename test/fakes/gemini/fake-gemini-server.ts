/**
 * A fake Gemini API speaking the REST protocol the `@google/genai` SDK uses, for tests and
 * benchmarks: generateContent (under `/v1beta/` and `/v1/`), the Files API (resumable upload,
 * get, download), batchGenerateContent and batches get/cancel. Behaviour is switchable per call
 * (queued replies, a decision function) and globally (latency, injected 503s, a per-minute and a
 * per-day quota, accepted keys, batch completion). Everything it receives is recorded, so tests
 * assert what the SDK really sent and what was billed.
 *
 * Start it with `startFakeGeminiServer(options)`, point the provider at `server.baseUrl`
 * (`GEMINI_BASE_URL`), and `close()` it after.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeImageDimensions, finalImageColour, solidPng, thoughtImageColour } from './fake-images.js';
import { googleErrorBody, imageOutputTokens, perDayQuotaBody, perMinuteQuotaBody, type FakeReply } from './fake-replies.js';
import { SlidingWindowQuota } from './sliding-window-quota.js';
import { readBodyBytes as readBody, sendJson } from '../fake-http.js';

export type { FakeReply } from './fake-replies.js';

/** The current Nano Banana ids (and their previews, for tests of retired ids). */
export const fakeGeminiModels = ['gemini-2.5-flash-image', 'gemini-3-pro-image', 'gemini-3.1-flash-image'] as const;

export interface FakeGeminiServerOptions {
  /** Keys accepted; a call with another key gets 403 PERMISSION_DENIED. Default: any key. */
  apiKeys?: string[];
  /** Model ids served; others get 404 NOT_FOUND. Default: `fakeGeminiModels`. */
  models?: string[];
  /** Wait before answering each online generateContent call, ms. */
  latencyMs?: number;
  /** Share (0..1) of online generateContent calls answered 503 UNAVAILABLE, picked by a seeded generator. */
  unavailableRate?: number;
  /** Seed of that generator; the same seed injects the same calls. Default 1. */
  seed?: number;
  /**
   * Per-minute quota on online generateContent calls: N accepted in any `windowMs` (default 60 s);
   * the rest get 429 with RetryInfo. Google counts per project (`scope: 'project'`, the default);
   * `'key'` gives each API key its own window, so two clients can be compared side by side.
   */
  quota?: { requestsPerWindow: number; windowMs?: number; scope?: 'project' | 'key' };
  /** Per-day quota: online calls accepted before every further one gets the per-day 429. */
  dailyLimit?: number;
  /** Decides the reply of a generateContent call (online or a batch line); undefined = the queue, then an image. */
  replyFor?: (call: FakeGenerateCall) => FakeReply | undefined;
  /** Include `usageMetadata` in replies (default true). */
  usageMetadata?: boolean;
  /** `auto`: a batch is processed `batchDelayMs` after creation; `manual`: only by `finishBatch`. Default auto. */
  batchCompletion?: 'auto' | 'manual';
  /** Delay before an automatic batch is processed, ms (default 20). */
  batchDelayMs?: number;
  /**
   * The next this-many batch creations create the batch, then drop the connection before
   * answering (a response lost on the way back). Default 0.
   */
  loseBatchCreateResponses?: number;
  /** The next this-many batch creations drop the connection without creating anything. Default 0. */
  dropBatchCreates?: number;
}

/** One generateContent call, online or as a batch line, with what the fake did about it. */
export interface FakeGenerateCall {
  source: 'online' | 'batch';
  /** `v1beta` or `v1` (online); `v1beta` for batch lines. */
  apiVersion: string;
  model: string;
  /** The `x-goog-api-key` header (online) or the batch creator's key. */
  apiKey: string | undefined;
  /** The request body (`contents`, `generationConfig`), as parsed JSON. */
  body: Record<string, unknown>;
  /** The JSONL key (batch lines). */
  batchKey?: string;
  /** Text of the user turn. */
  prompt: string;
  /** `generationConfig.imageConfig` as sent. */
  imageConfig: Record<string, unknown> | undefined;
  /** `generationConfig.seed` as sent. */
  seed: number | undefined;
  /** `inlineData` parts (mime type and byte length of the decoded data). */
  inlineImages: Array<{ mimeType: string; byteLength: number }>;
  /** `fileData` parts' URIs. */
  fileUris: string[];
  /** HTTP status answered (batch lines: 200, or the error's code). */
  httpStatus: number;
  /** What was answered. */
  reply: FakeReply['kind'] | 'quota' | 'unavailable' | 'bad-key' | 'unknown-model';
  /** True when an image went back: this call is paid. */
  billed: boolean;
  /** When the request reached the fake, epoch ms (batch lines: when the batch was processed). */
  receivedAtMs: number;
  /** When the fake decided the reply, epoch ms: after the latency wait, the moment the quota counts the call. */
  decidedAtMs: number;
  /** For a per-minute quota refusal: the retry delay the reply announced, ms. */
  retryDelayMs?: number;
}

export interface FakeFile {
  name: string;
  displayName: string | undefined;
  mimeType: string;
  bytes: Buffer;
  uri: string;
}

export type FakeBatchState = 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING' | 'BATCH_STATE_SUCCEEDED' | 'BATCH_STATE_FAILED' | 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED';

export interface FakeBatch {
  name: string;
  model: string;
  displayName: string | undefined;
  inputFileName: string;
  /** Keys of the input lines, in order. */
  keys: string[];
  state: FakeBatchState;
  responsesFile: string | undefined;
  apiKey: string | undefined;
  createdAtMs: number;
}

/** One HTTP request as received. */
export interface FakeHttpRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
}

export interface FakeGeminiServer {
  /** `http://127.0.0.1:<port>`: the `GEMINI_BASE_URL` to use. */
  readonly baseUrl: string;
  readonly requests: FakeHttpRequest[];
  readonly generateCalls: FakeGenerateCall[];
  readonly files: Map<string, FakeFile>;
  readonly batches: FakeBatch[];
  /** Replies for the next generateContent calls, taken in order before `replyFor` and the default. */
  queueReplies(...replies: FakeReply[]): void;
  /** Changes options while running (e.g. lift a quota). */
  setOptions(options: Partial<FakeGeminiServerOptions>): void;
  /** Processes a batch now and leaves it in `state` (default SUCCEEDED, with a result file). */
  finishBatch(name: string, state?: FakeBatchState): Promise<void>;
  /** Calls that returned an image (what the account was charged for). */
  billedCount(): number;
  close(): Promise<void>;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeGeminiServer(initialOptions: FakeGeminiServerOptions = {}): Promise<FakeGeminiServer> {
  const fake = new FakeGemini(initialOptions);
  const server = http.createServer((request, response) => {
    fake.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, googleErrorBody(500, 'INTERNAL', `fake server error: ${String(error)}`));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get baseUrl() {
      return fake.baseUrl;
    },
    requests: fake.requests,
    generateCalls: fake.generateCalls,
    files: fake.files,
    batches: fake.batches,
    queueReplies: (...replies) => fake.queued.push(...replies),
    setOptions: (options) => fake.setOptions(options),
    finishBatch: (name, state) => fake.finishBatch(name, state),
    billedCount: () => fake.generateCalls.filter((call) => call.billed).length,
    close: async () => {
      fake.closing = true;
      for (const timer of fake.timers) clearTimeout(timer);
      for (const response of fake.openResponses) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface UploadSession {
  mimeType: string;
  displayName: string | undefined;
  chunks: Buffer[];
}

class FakeGemini {
  baseUrl = '';
  closing = false;
  readonly requests: FakeHttpRequest[] = [];
  readonly generateCalls: FakeGenerateCall[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly batches: FakeBatch[] = [];
  readonly queued: FakeReply[] = [];
  readonly timers = new Set<NodeJS.Timeout>();
  readonly openResponses = new Set<ServerResponse>();
  private readonly uploads = new Map<string, UploadSession>();
  private options: FakeGeminiServerOptions;
  /** Sliding windows by scope: one for the project, or one per API key. */
  private quotas = new Map<string, SlidingWindowQuota>();
  private acceptedToday = 0;
  private randomState: number;

  constructor(options: FakeGeminiServerOptions) {
    this.options = options;
    this.randomState = options.seed ?? 1;
  }

  setOptions(options: Partial<FakeGeminiServerOptions>): void {
    this.options = { ...this.options, ...options };
    if ('quota' in options) this.quotas = new Map();
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAtMs = Date.now();
    const url = new URL(request.url ?? '/', 'http://fake');
    const apiKey = headerText(request, 'x-goog-api-key') ?? url.searchParams.get('key') ?? undefined;
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, apiKey });
    const body = await readBody(request);
    this.openResponses.add(response);
    response.on('close', () => this.openResponses.delete(response));

    if (!this.keyAccepted(apiKey)) {
      const generate = /^\/(v1beta|v1)\/models\/([^/:]+):generateContent$/.exec(url.pathname);
      if (generate) this.recordCall('online', generate[1] ?? 'v1beta', generate[2] ?? '', apiKey, parseJson(body), { httpStatus: 403, reply: 'bad-key', billed: false, receivedAtMs });
      return sendJson(response, 403, googleErrorBody(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'));
    }

    let match: RegExpExecArray | null;
    if (request.method === 'POST' && (match = /^\/(v1beta|v1)\/models\/([^/:]+):generateContent$/.exec(url.pathname))) {
      return this.generateOnline(match[1] ?? 'v1beta', match[2] ?? '', apiKey, parseJson(body), request, response, receivedAtMs);
    }
    if (request.method === 'POST' && url.pathname === '/upload/v1beta/files') {
      return this.upload(request, url, body, response);
    }
    if (request.method === 'GET' && (match = /^\/(v1beta|v1)\/files\/([^/:]+):download$/.exec(url.pathname))) {
      const file = this.files.get(`files/${match[2]}`);
      if (!file) return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `File files/${match[2]} not found.`));
      response.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
      response.end(file.bytes);
      return;
    }
    if (request.method === 'GET' && (match = /^\/(v1beta|v1)\/files\/([^/:]+)$/.exec(url.pathname))) {
      const file = this.files.get(`files/${match[2]}`);
      if (!file) return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `File files/${match[2]} not found.`));
      return sendJson(response, 200, fileResource(file));
    }
    if (request.method === 'POST' && (match = /^\/(v1beta|v1)\/models\/([^/:]+):batchGenerateContent$/.exec(url.pathname))) {
      return this.createBatch(match[2] ?? '', apiKey, parseJson(body), response);
    }
    if (request.method === 'GET' && /^\/(v1beta|v1)\/batches$/.test(url.pathname)) {
      return this.listBatches(url, response);
    }
    if (request.method === 'GET' && (match = /^\/(v1beta|v1)\/batches\/([^/:]+)$/.exec(url.pathname))) {
      const batch = this.batches.find((candidate) => candidate.name === `batches/${match?.[2]}`);
      if (!batch) return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `Batch batches/${match[2]} not found.`));
      return sendJson(response, 200, batchOperation(batch));
    }
    if (request.method === 'POST' && (match = /^\/(v1beta|v1)\/batches\/([^/:]+):cancel$/.exec(url.pathname))) {
      const batch = this.batches.find((candidate) => candidate.name === `batches/${match?.[2]}`);
      if (!batch) return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `Batch batches/${match[2]} not found.`));
      if (batch.state === 'BATCH_STATE_PENDING' || batch.state === 'BATCH_STATE_RUNNING') batch.state = 'BATCH_STATE_CANCELLED';
      return sendJson(response, 200, {});
    }
    sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `The fake has no route for ${request.method} ${url.pathname}.`));
  }

  private quotaFor(apiKey: string | undefined): SlidingWindowQuota | undefined {
    const quota = this.options.quota;
    if (!quota) return undefined;
    const scope = quota.scope === 'key' ? `key:${apiKey ?? ''}` : 'project';
    let window = this.quotas.get(scope);
    if (!window) {
      window = new SlidingWindowQuota(quota.requestsPerWindow, quota.windowMs ?? 60_000);
      this.quotas.set(scope, window);
    }
    return window;
  }

  private servedModels(): readonly string[] {
    return this.options.models ?? fakeGeminiModels;
  }

  private keyAccepted(apiKey: string | undefined): boolean {
    return this.options.apiKeys === undefined || (apiKey !== undefined && this.options.apiKeys.includes(apiKey));
  }

  private async generateOnline(
    apiVersion: string,
    model: string,
    apiKey: string | undefined,
    body: Record<string, unknown>,
    request: IncomingMessage,
    response: ServerResponse,
    receivedAtMs: number,
  ): Promise<void> {
    if (!this.servedModels().includes(model)) {
      this.recordCall('online', apiVersion, model, apiKey, body, { httpStatus: 404, reply: 'unknown-model', billed: false, receivedAtMs });
      return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `models/${model} is not found for API version ${apiVersion}, or is not supported for generateContent.`));
    }
    if (this.options.latencyMs) {
      const gone = await this.wait(this.options.latencyMs, request);
      if (gone) return;
    }
    const nowMs = Date.now();
    if (this.options.dailyLimit !== undefined && this.acceptedToday >= this.options.dailyLimit) {
      this.recordCall('online', apiVersion, model, apiKey, body, { httpStatus: 429, reply: 'quota', billed: false, receivedAtMs });
      return sendJson(response, 429, perDayQuotaBody(model));
    }
    const decision = this.quotaFor(apiKey)?.decide(nowMs);
    if (decision && !decision.accepted) {
      this.recordCall('online', apiVersion, model, apiKey, body, { httpStatus: 429, reply: 'quota', billed: false, receivedAtMs, retryDelayMs: decision.retryAfterMs });
      return sendJson(response, 429, perMinuteQuotaBody(decision.retryAfterMs / 1000, model));
    }
    this.acceptedToday += 1;
    if ((this.options.unavailableRate ?? 0) > 0 && this.nextRandom() < (this.options.unavailableRate ?? 0)) {
      this.recordCall('online', apiVersion, model, apiKey, body, { httpStatus: 503, reply: 'unavailable', billed: false, receivedAtMs });
      return sendJson(response, 503, googleErrorBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'));
    }
    const call = this.recordCall('online', apiVersion, model, apiKey, body, { httpStatus: 200, reply: 'image', billed: false, receivedAtMs });
    const reply = this.queued.shift() ?? this.options.replyFor?.(call) ?? { kind: 'image' };
    call.reply = reply.kind;
    if (reply.kind === 'hang') return; // The response stays open until the client aborts or the server closes.
    const answer = await this.answer(reply, call);
    call.httpStatus = answer.httpStatus;
    call.billed = answer.billed;
    sendJson(response, answer.httpStatus, answer.body);
  }

  /** The HTTP status and body of a reply (online), which a batch line reuses. */
  private async answer(reply: FakeReply, call: FakeGenerateCall): Promise<{ httpStatus: number; body: Record<string, unknown>; billed: boolean }> {
    const imageSize = typeof call.imageConfig?.imageSize === 'string' ? call.imageConfig.imageSize : '1K';
    const usage = (this.options.usageMetadata ?? true)
      ? {
          usageMetadata: {
            promptTokenCount: 10 + 258 * (call.inlineImages.length + call.fileUris.length),
            candidatesTokenCount: imageOutputTokens(call.model, imageSize),
            totalTokenCount: 10 + imageOutputTokens(call.model, imageSize),
            candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: imageOutputTokens(call.model, imageSize) }],
          },
        }
      : {};
    const envelope = (candidate: Record<string, unknown>): Record<string, unknown> => ({
      candidates: [{ index: 0, ...candidate }],
      ...usage,
      modelVersion: call.model,
      responseId: `fake-${randomUUID().slice(0, 12)}`,
    });
    const dimensions = fakeImageDimensions(call.model, call.imageConfig);
    switch (reply.kind) {
      case 'image':
      case 'thought-images': {
        const width = reply.kind === 'image' ? (reply.width ?? dimensions.width) : dimensions.width;
        const height = reply.kind === 'image' ? (reply.height ?? dimensions.height) : dimensions.height;
        const parts: Array<Record<string, unknown>> = [];
        if (reply.kind === 'thought-images') {
          const thought = (await solidPng(width, height, thoughtImageColour)).toString('base64');
          parts.push({ text: 'Sketching the composition first.', thought: true });
          for (let index = 0; index < reply.count; index += 1) parts.push({ inlineData: { mimeType: 'image/png', data: thought }, thought: true });
        }
        parts.push({ text: 'Here is your image.', thoughtSignature: 'c2lnbmF0dXJl' });
        parts.push({ inlineData: { mimeType: 'image/png', data: (await solidPng(width, height, finalImageColour)).toString('base64') }, thoughtSignature: 'c2lnbmF0dXJl' });
        return { httpStatus: 200, body: envelope({ content: { role: 'model', parts }, finishReason: 'STOP' }), billed: true };
      }
      case 'text-only':
        return { httpStatus: 200, body: envelope({ content: { role: 'model', parts: [{ text: reply.text ?? 'Here is an image of what you asked for.' }] }, finishReason: 'STOP' }), billed: false };
      case 'no-image':
        return { httpStatus: 200, body: envelope({ content: { role: 'model', parts: [] }, finishReason: 'NO_IMAGE' }), billed: false };
      case 'prompt-blocked':
        return { httpStatus: 200, body: { promptFeedback: { blockReason: reply.reason ?? 'SAFETY' }, ...usage, responseId: `fake-${randomUUID().slice(0, 12)}` }, billed: false };
      case 'finish-blocked':
        return { httpStatus: 200, body: envelope({ content: { role: 'model', parts: [] }, finishReason: reply.finishReason }), billed: false };
      case 'rate-limited':
        return { httpStatus: 429, body: perMinuteQuotaBody(reply.retryDelaySeconds, call.model), billed: false };
      case 'daily-quota':
        return { httpStatus: 429, body: perDayQuotaBody(call.model), billed: false };
      case 'error':
        return { httpStatus: reply.httpStatus, body: googleErrorBody(reply.httpStatus, reply.status, reply.message), billed: false };
      case 'echo-key-error':
        return { httpStatus: 400, body: googleErrorBody(400, 'INVALID_ARGUMENT', `Request with key ${call.apiKey ?? '(none)'} has an invalid argument.`), billed: false };
      case 'hang':
        return { httpStatus: 504, body: googleErrorBody(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'), billed: false };
    }
  }

  private recordCall(
    source: FakeGenerateCall['source'],
    apiVersion: string,
    model: string,
    apiKey: string | undefined,
    body: Record<string, unknown>,
    outcome: Pick<FakeGenerateCall, 'httpStatus' | 'reply' | 'billed' | 'retryDelayMs'> & { receivedAtMs?: number },
    batchKey?: string,
  ): FakeGenerateCall {
    const decidedAtMs = Date.now();
    const contents = Array.isArray(body.contents) ? (body.contents as Array<Record<string, unknown>>) : [];
    const parts = contents.flatMap((content) => (Array.isArray(content.parts) ? (content.parts as Array<Record<string, unknown>>) : []));
    const generationConfig = asRecord(body.generationConfig);
    const call: FakeGenerateCall = {
      source,
      apiVersion,
      model,
      apiKey,
      body,
      ...(batchKey === undefined ? {} : { batchKey }),
      prompt: parts.flatMap((part) => (typeof part.text === 'string' ? [part.text] : [])).join(' '),
      imageConfig: asRecord(generationConfig?.imageConfig),
      seed: typeof generationConfig?.seed === 'number' ? generationConfig.seed : undefined,
      inlineImages: parts.flatMap((part) => {
        const inline = asRecord(part.inlineData);
        return inline ? [{ mimeType: String(inline.mimeType), byteLength: Buffer.from(String(inline.data), 'base64').length }] : [];
      }),
      fileUris: parts.flatMap((part) => {
        const file = asRecord(part.fileData);
        return file ? [String(file.fileUri)] : [];
      }),
      ...outcome,
      receivedAtMs: outcome.receivedAtMs ?? decidedAtMs,
      decidedAtMs,
    };
    this.generateCalls.push(call);
    return call;
  }

  private upload(request: IncomingMessage, url: URL, body: Buffer, response: ServerResponse): void {
    const command = (headerText(request, 'x-goog-upload-command') ?? '').toLowerCase();
    if (command === 'start') {
      const metadata = asRecord(asRecord(parseJson(body))?.file);
      const id = randomUUID().replace(/-/g, '').slice(0, 16);
      this.uploads.set(id, {
        mimeType: headerText(request, 'x-goog-upload-header-content-type') ?? (typeof metadata?.mimeType === 'string' ? metadata.mimeType : 'application/octet-stream'),
        displayName: typeof metadata?.displayName === 'string' ? metadata.displayName : undefined,
        chunks: [],
      });
      response.writeHead(200, { 'content-type': 'application/json', 'x-goog-upload-url': `${this.baseUrl}/upload/v1beta/files?upload_id=${id}`, 'x-goog-upload-status': 'active' });
      response.end('{}');
      return;
    }
    const id = url.searchParams.get('upload_id') ?? '';
    const session = this.uploads.get(id);
    if (!session) return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', 'No such upload session.'));
    session.chunks.push(body);
    if (!command.includes('finalize')) {
      response.writeHead(200, { 'content-type': 'application/json', 'x-goog-upload-status': 'active' });
      response.end('{}');
      return;
    }
    this.uploads.delete(id);
    const file = this.storeFile(Buffer.concat(session.chunks), session.mimeType, session.displayName);
    response.writeHead(200, { 'content-type': 'application/json', 'x-goog-upload-status': 'final' });
    response.end(JSON.stringify({ file: fileResource(file) }));
  }

  private storeFile(bytes: Buffer, mimeType: string, displayName: string | undefined): FakeFile {
    const id = randomUUID().replace(/-/g, '').slice(0, 12);
    const file: FakeFile = { name: `files/${id}`, displayName, mimeType, bytes, uri: `${this.baseUrl}/v1beta/files/${id}` };
    this.files.set(file.name, file);
    return file;
  }

  private createBatch(model: string, apiKey: string | undefined, body: Record<string, unknown>, response: ServerResponse): void {
    const drop = this.options.dropBatchCreates ?? 0;
    if (drop > 0) {
      this.options.dropBatchCreates = drop - 1;
      response.socket?.destroy();
      return;
    }
    if (!this.servedModels().includes(model)) {
      return sendJson(response, 404, googleErrorBody(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for batchGenerateContent.`));
    }
    const batchBody = asRecord(body.batch);
    const inputFileName = asRecord(batchBody?.inputConfig)?.fileName;
    const input = typeof inputFileName === 'string' ? this.files.get(inputFileName) : undefined;
    if (!input) return sendJson(response, 400, googleErrorBody(400, 'INVALID_ARGUMENT', `Input file ${String(inputFileName)} not found.`));
    const keys = jsonLines(input.bytes).map((line) => String(line.key));
    const batch: FakeBatch = {
      name: `batches/${randomUUID().replace(/-/g, '').slice(0, 14)}`,
      model,
      displayName: typeof batchBody?.displayName === 'string' ? batchBody.displayName : undefined,
      inputFileName: input.name,
      keys,
      state: 'BATCH_STATE_PENDING',
      responsesFile: undefined,
      apiKey,
      createdAtMs: Date.now(),
    };
    this.batches.push(batch);
    if ((this.options.batchCompletion ?? 'auto') === 'auto') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closing) void this.finishBatch(batch.name);
      }, this.options.batchDelayMs ?? 20);
      this.timers.add(timer);
    }
    const lose = this.options.loseBatchCreateResponses ?? 0;
    if (lose > 0) {
      this.options.loseBatchCreateResponses = lose - 1;
      response.socket?.destroy();
      return;
    }
    sendJson(response, 200, batchOperation(batch));
  }

  /** `GET /v1beta/batches`: newest first, `pageSize` (default 50) per page, `pageToken` = the offset. */
  private listBatches(url: URL, response: ServerResponse): void {
    const pageSize = Number(url.searchParams.get('pageSize') ?? '50');
    const offset = Number(url.searchParams.get('pageToken') ?? '0');
    const newestFirst = [...this.batches].reverse();
    const page = newestFirst.slice(offset, offset + pageSize);
    const next = offset + pageSize < newestFirst.length ? String(offset + pageSize) : undefined;
    sendJson(response, 200, { operations: page.map(batchOperation), ...(next ? { nextPageToken: next } : {}) });
  }

  async finishBatch(name: string, state: FakeBatchState = 'BATCH_STATE_SUCCEEDED'): Promise<void> {
    const batch = this.batches.find((candidate) => candidate.name === name);
    if (!batch) throw new Error(`no batch ${name}`);
    if (batch.state !== 'BATCH_STATE_PENDING' && batch.state !== 'BATCH_STATE_RUNNING') return;
    if (state !== 'BATCH_STATE_SUCCEEDED') {
      batch.state = state;
      return;
    }
    batch.state = 'BATCH_STATE_RUNNING';
    const input = this.files.get(batch.inputFileName);
    const outputLines: string[] = [];
    for (const line of jsonLines(input?.bytes ?? Buffer.alloc(0))) {
      const key = String(line.key);
      const request = asRecord(line.request) ?? {};
      const missingFile = this.missingFileOf(request);
      if (missingFile !== undefined) {
        this.recordCall('batch', 'v1beta', batch.model, batch.apiKey, request, { httpStatus: 400, reply: 'error', billed: false }, key);
        outputLines.push(JSON.stringify({ key, error: { code: 400, message: `File ${missingFile} not found.`, status: 'INVALID_ARGUMENT' } }));
        continue;
      }
      const call = this.recordCall('batch', 'v1beta', batch.model, batch.apiKey, request, { httpStatus: 200, reply: 'image', billed: false }, key);
      const reply = this.queued.shift() ?? this.options.replyFor?.(call) ?? { kind: 'image' };
      call.reply = reply.kind;
      const answer = await this.answer(reply, call);
      call.httpStatus = answer.httpStatus;
      call.billed = answer.billed;
      const error = asRecord(answer.body.error);
      outputLines.push(JSON.stringify(answer.httpStatus === 200 ? { key, response: answer.body } : { key, error: { code: error?.code, message: error?.message, status: error?.status } }));
    }
    const results = this.storeFile(Buffer.from(`${outputLines.join('\n')}\n`), 'application/jsonl', `${batch.displayName ?? batch.name}-results`);
    batch.responsesFile = results.name;
    batch.state = 'BATCH_STATE_SUCCEEDED';
  }

  /** A `fileData` URI of the request that names no stored file. */
  private missingFileOf(request: Record<string, unknown>): string | undefined {
    const contents = Array.isArray(request.contents) ? (request.contents as Array<Record<string, unknown>>) : [];
    for (const content of contents) {
      for (const part of Array.isArray(content.parts) ? (content.parts as Array<Record<string, unknown>>) : []) {
        const uri = asRecord(part.fileData)?.fileUri;
        if (typeof uri === 'string' && !this.files.has(`files/${uri.split('/files/')[1] ?? ''}`)) return uri;
      }
    }
    return undefined;
  }

  /** Waits `ms`; true when the client went away meanwhile. */
  private wait(ms: number, request: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        request.off('close', onClose);
        resolve(false);
      }, ms);
      this.timers.add(timer);
      const onClose = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(true);
      };
      request.once('close', onClose);
    });
  }

  /** Mulberry32: the same seed injects failures into the same calls. */
  private nextRandom(): number {
    this.randomState = (this.randomState + 0x6d2b79f5) | 0;
    let value = this.randomState;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  }
}

function batchOperation(batch: FakeBatch): Record<string, unknown> {
  return {
    name: batch.name,
    metadata: {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
      model: `models/${batch.model}`,
      displayName: batch.displayName,
      state: batch.state,
      createTime: new Date(batch.createdAtMs).toISOString(),
      updateTime: new Date().toISOString(),
      batchStats: { requestCount: String(batch.keys.length) },
      ...(batch.responsesFile ? { output: { responsesFile: batch.responsesFile } } : {}),
    },
    done: batch.state !== 'BATCH_STATE_PENDING' && batch.state !== 'BATCH_STATE_RUNNING',
  };
}

function fileResource(file: FakeFile): Record<string, unknown> {
  return {
    name: file.name,
    displayName: file.displayName,
    mimeType: file.mimeType,
    sizeBytes: String(file.bytes.length),
    uri: file.uri,
    state: 'ACTIVE',
    source: 'UPLOADED',
    expirationTime: new Date(Date.now() + 48 * 3600_000).toISOString(),
  };
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    return asRecord(JSON.parse(body.toString('utf8'))) ?? {};
  } catch {
    return {};
  }
}

function jsonLines(bytes: Buffer): Array<Record<string, unknown>> {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => asRecord(JSON.parse(line)) ?? {});
}

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
