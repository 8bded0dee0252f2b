/**
 * A typed client of RunPod's queue-based endpoint API on plain `fetch` (docs/reference: simpler
 * to test and control than the `runpod-sdk` package): `POST /run`, `GET /status/{id}`,
 * `POST /cancel/{id}`, with `Authorization: Bearer <key>`, a timeout per call, the documented
 * per-endpoint request rates, and RunPod's HTTP errors mapped onto the engine's classes. The key
 * goes into the header and nowhere else; every message is redacted of it.
 */
import { ImagefleetError } from '../../core/errors.js';
import { redactApiKey } from '../gemini/api-key.js';
import { providerError } from '../contract.js';
import { mapRunpodHttpError, type RunpodOperation } from './map-runpod-http-error.js';
import { RequestPacer } from './request-pacer.js';

export const runpodJobStatuses = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;
export type RunpodJobStatus = (typeof runpodJobStatuses)[number];

/** What `/status/{id}` answers (fields RunPod documents; others are ignored). */
export interface RunpodStatusReply {
  id: string;
  /** One of `runpodJobStatuses`, or a status RunPod adds later (treated as still pending). */
  status: string;
  /** The handler's return value (COMPLETED), or progress (IN_PROGRESS). */
  output?: unknown;
  /** A failed job's error: a string (JSON text for imagefleet's worker and the Python SDK). */
  error?: unknown;
  /** Queue time, ms. */
  delayTime?: number;
  /** Execution time, ms. */
  executionTime?: number;
}

export interface RunpodRunBody {
  input: unknown;
  policy: { executionTimeout: number; ttl: number };
}

export interface RunpodClientSettings {
  apiKey: string;
  /** Base URL without the endpoint id, e.g. `https://api.runpod.ai/v2`. */
  baseUrl: string;
  /** Longest wait for one HTTP call, ms. */
  requestTimeoutMs: number;
}

/** Per-endpoint limits per 10 s from RunPod's docs, with room for clock skew and other clients. */
const documentedLimitsPer10s = { run: 900, status: 1800, cancel: 90 } as const;

export class RunpodClient {
  private readonly pacers: Record<RunpodOperation, RequestPacer> = {
    run: new RequestPacer({ maxRequests: documentedLimitsPer10s.run, windowMs: 10_000 }),
    status: new RequestPacer({ maxRequests: documentedLimitsPer10s.status, windowMs: 10_000 }),
    cancel: new RequestPacer({ maxRequests: documentedLimitsPer10s.cancel, windowMs: 10_000 }),
  };
  private readonly baseUrl: string;

  constructor(private readonly settings: RunpodClientSettings) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
  }

  /** Submits a job; returns RunPod's job id. */
  async run(endpointId: string, body: RunpodRunBody, signal: AbortSignal): Promise<string> {
    const reply = await this.call('run', endpointId, 'POST', `/run`, JSON.stringify(body), signal);
    const id = (reply as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(id)) throw providerError('transient', 'RunPod accepted the job but sent no usable job id.');
    return id;
  }

  /** A job's state; `undefined` when RunPod no longer has it (404: TTL or retention passed). */
  async status(endpointId: string, jobId: string, signal: AbortSignal): Promise<RunpodStatusReply | undefined> {
    try {
      return (await this.call('status', endpointId, 'GET', `/status/${encodeURIComponent(jobId)}`, undefined, signal)) as RunpodStatusReply;
    } catch (error) {
      if (error instanceof ExpiredJobError) return undefined;
      throw error;
    }
  }

  /** Cancels a queued or running job. */
  async cancel(endpointId: string, jobId: string, signal: AbortSignal): Promise<void> {
    try {
      await this.call('cancel', endpointId, 'POST', `/cancel/${encodeURIComponent(jobId)}`, undefined, signal);
    } catch (error) {
      // Gone already: nothing left to cancel.
      if (error instanceof ExpiredJobError) return;
      throw error;
    }
  }

  private async call(operation: RunpodOperation, endpointId: string, method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<unknown> {
    await this.pacers[operation].take(signal);
    const url = `${this.baseUrl}/${encodeURIComponent(endpointId)}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.settings.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), accept: 'application/json' },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.settings.requestTimeoutMs)]),
      });
    } catch (error) {
      signal.throwIfAborted();
      const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${this.settings.requestTimeoutMs} ms` : error.message) : String(error);
      throw providerError('transient', this.redact(`Could not reach RunPod for /${operation}: ${reason}.`), { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.status === 404 && operation !== 'run') throw new ExpiredJobError();
    if (!response.ok) {
      const mapped = mapRunpodHttpError(response.status, text, response.headers.get('retry-after'), operation, endpointId);
      throw new ImagefleetError(mapped.code, this.redact(mapped.message), { ...(mapped.retryAfterMs === undefined ? {} : { retryAfterMs: mapped.retryAfterMs }) });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw providerError('transient', `RunPod answered /${operation} with something other than JSON (HTTP ${response.status}).`);
    }
  }

  private redact(text: string): string {
    return redactApiKey(text, this.settings.apiKey);
  }
}

/** A 404 on a job: RunPod no longer has it. */
class ExpiredJobError extends Error {
  constructor() {
    super('RunPod no longer has this job.');
  }
}
