/**
 * What ComfyUI says about a queued prompt: finished with images (`GET /history/{id}` → `outputs`),
 * failed (`status.status_str` "error", with the `execution_error` or `execution_interrupted`
 * message), still queued or running (`GET /queue`), or unknown to it (the server restarted and
 * lost its queue, or its history was cleared).
 */
import { z } from 'zod';
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';
import { requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';

export interface OutputFile {
  filename: string;
  subfolder: string;
  type: string;
}

export type PromptOutcome = { state: 'done'; files: OutputFile[] } | { state: 'failed'; error: ImagefleetError } | { state: 'not-in-history' };

const outputFileSchema = z.looseObject({ filename: z.string(), subfolder: z.string().default(''), type: z.string().default('output') });
const historyEntrySchema = z.looseObject({
  outputs: z.record(z.string(), z.looseObject({ images: z.array(outputFileSchema).optional() })).default({}),
  status: z.looseObject({ status_str: z.string().optional(), completed: z.boolean().optional(), messages: z.array(z.tuple([z.string(), z.unknown()]).rest(z.unknown())).optional() }).optional(),
});
const queueSchema = z.looseObject({ queue_running: z.array(z.array(z.unknown())).default([]), queue_pending: z.array(z.array(z.unknown())).default([]) });

export interface QueueView {
  running: string[];
  pending: string[];
}

export async function readPromptHistory(connection: ServerConnection, promptId: string, signal: AbortSignal, timeoutMs: number): Promise<PromptOutcome> {
  const reply = await requestServerJson(connection, { method: 'GET', path: `/history/${encodeURIComponent(promptId)}`, signal, timeoutMs, action: `reading the result of prompt ${promptId}` });
  const raw = typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>)[promptId] : undefined;
  if (raw === undefined) return { state: 'not-in-history' };
  const parsed = historyEntrySchema.safeParse(raw);
  if (!parsed.success) return { state: 'failed', error: providerError('transient', `ComfyUI's history entry of prompt ${promptId} has an unexpected shape.`) };
  const { outputs, status } = parsed.data;
  if (status?.status_str === 'error') return { state: 'failed', error: executionFailure(promptId, status.messages ?? []) };
  // An entry without `completed` (older servers) counts as finished once it has outputs.
  if (status?.completed === false) return { state: 'not-in-history' };
  const files = Object.values(outputs).flatMap((output) => output.images ?? []);
  // SaveImage writes `output` files; PreviewImage `temp` ones, kept only when nothing was saved.
  const saved = files.filter((file) => file.type === 'output');
  return { state: 'done', files: saved.length > 0 ? saved : files };
}

export async function readQueue(connection: ServerConnection, signal: AbortSignal | undefined, timeoutMs: number): Promise<QueueView> {
  const reply = await requestServerJson(connection, { method: 'GET', path: '/queue', signal, timeoutMs, action: 'reading the queue' });
  const parsed = queueSchema.safeParse(reply);
  if (!parsed.success) throw providerError('transient', "ComfyUI's queue has an unexpected shape.");
  // Each entry is [number, prompt_id, prompt, extra_data, outputs_to_execute].
  const ids = (entries: unknown[][]) => entries.map((entry) => entry[1]).filter((id): id is string => typeof id === 'string');
  return { running: ids(parsed.data.queue_running), pending: ids(parsed.data.queue_pending) };
}

/** The error of a failed prompt: running out of GPU memory or an interrupt is worth a retry; a node that failed is not. */
function executionFailure(promptId: string, messages: ReadonlyArray<readonly unknown[]>): ImagefleetError {
  for (const [type, data] of messages) {
    const details = (data ?? {}) as Record<string, unknown>;
    if (type === 'execution_interrupted') return providerError('transient', `Prompt ${promptId} was interrupted on the ComfyUI server.`);
    if (type === 'execution_error') {
      const exceptionType = typeof details.exception_type === 'string' ? details.exception_type : 'error';
      const exceptionMessage = typeof details.exception_message === 'string' ? details.exception_message.trim() : '';
      const nodeId = typeof details.node_id === 'string' || typeof details.node_id === 'number' ? String(details.node_id) : '?';
      const node = `node ${nodeId}${typeof details.node_type === 'string' ? ` (${details.node_type})` : ''}`;
      const message = `ComfyUI failed in ${node} while running prompt ${promptId}: ${exceptionType}${exceptionMessage ? `: ${exceptionMessage.slice(0, 500)}` : ''}.`;
      return /OutOfMemory|out of memory/i.test(`${exceptionType} ${exceptionMessage}`) ? providerError('transient', message) : providerError('invalid', message);
    }
  }
  return providerError('transient', `ComfyUI reports prompt ${promptId} as failed without saying why.`);
}
