/**
 * `GET /api/events`: Server-Sent Events for job and task progress. The stream follows the durable
 * `events` table by id (so `Last-Event-ID` resumes exactly where a client left off, across
 * restarts and for events written by other processes) through the process's one shared reader
 * (`EventFanOut`: no database reads per client on the live path), forwards `task.progress`
 * (in-process only, no id), sends a heartbeat comment every 15 s, and stops when the client goes.
 */
import { ImagefleetError, invalidInput } from '../core/errors.js';
import type { StoredEvent } from '../engine/ports.js';
import { getJob } from '../operations/get-job.js';
import { apiRoute } from './api-route.js';
import { readQuery } from './request-input.js';
import { isoTime } from './schemas/common.js';
import { eventsQuerySchema } from './schemas/events.js';
import { maxEventStreams, serverState } from './server-state.js';

/** Comment lines that keep proxies from closing an idle stream. */
export const heartbeatMs = 15_000;
/** Progress frames kept while the client is slow; older ones are dropped (they are superseded anyway). */
const maxPendingProgress = 100;

export const handleEvents = apiRoute(
  async ({ request, url, fleet }) => {
    const query = readQuery(url, eventsQuerySchema);
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId !== null && !/^\d{1,15}$/.test(lastEventId.trim())) {
      throw invalidInput([{ path: 'Last-Event-ID', message: 'must be an event id this stream sent (a whole number)' }], 'Invalid header');
    }
    const jobId = query.job;
    // An unknown job is refused up front (`not_found`) rather than streamed silently forever.
    if (jobId !== undefined) await getJob({ jobId }, fleet);
    const state = serverState(fleet);
    if (state.eventStreams >= maxEventStreams) {
      throw new ImagefleetError('too_many_requests', `This server already serves ${maxEventStreams} event streams; close some or try again later.`, { retryAfterMs: 10_000 });
    }
    const fanOut = state.eventFanOut;
    await fanOut.start();
    let cursor = lastEventId !== null ? Number(lastEventId.trim()) : query.after !== undefined ? query.after : jobId !== undefined ? 0 : fanOut.newestId;
    state.eventStreams += 1;

    const encoder = new TextEncoder();
    let closed = false;
    let progress: string[] = [];
    let lastSentAtMs = Date.now();
    const stop = new AbortController();
    const detach = fanOut.attach((event) => {
      if (jobId !== undefined && event.jobId !== jobId) return;
      progress.push(frame(undefined, event.type, { id: null, type: event.type, jobId: event.jobId, taskId: event.taskId, payload: event.payload, createdAt: isoTime(Date.now()) }));
      if (progress.length > maxPendingProgress) progress = progress.slice(-maxPendingProgress);
    });
    const cleanup = () => {
      if (closed) return;
      closed = true;
      detach();
      state.eventStreams -= 1;
      stop.abort();
    };
    request.signal.addEventListener('abort', cleanup, { once: true });

    // Produces only when the client pulls: a slow client falls behind in its cursor (and catches
    // up from the shared ring or shared pages), never in a queue of its own.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`retry: 3000\n: connected; events after ${cursor}\n\n`));
      },
      async pull(controller) {
        try {
          for (;;) {
            if (closed) {
              controller.close();
              return;
            }
            const batch = await fanOut.next(cursor, jobId);
            cursor = batch.cursor;
            const chunks = progress;
            progress = [];
            for (const event of batch.events) chunks.push(storedFrame(event));
            if (chunks.length > 0) {
              controller.enqueue(encoder.encode(chunks.join('')));
              lastSentAtMs = Date.now();
              return;
            }
            if (Date.now() - lastSentAtMs >= heartbeatMs) {
              controller.enqueue(encoder.encode(`: heartbeat ${isoTime(Date.now())}\n\n`));
              lastSentAtMs = Date.now();
              return;
            }
            if (cursor >= fanOut.newestId) await fanOut.waitForNews(Math.max(10, heartbeatMs - (Date.now() - lastSentAtMs)), stop.signal);
          }
        } catch (error) {
          fleet.logger.warn({ error: String(error) }, 'Event stream stopped: the events could not be read.');
          cleanup();
          controller.error(error);
        }
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  },
  { name: 'GET /api/events' },
);

/**
 * The frame of a stored event, built once: the fan-out hands the same event objects to every
 * stream, so 200 clients of one job share one JSON encoding per event.
 */
const storedFrames = new WeakMap<StoredEvent, string>();
function storedFrame(event: StoredEvent): string {
  let text = storedFrames.get(event);
  if (text === undefined) {
    text = frame(event.id, typeOf(event), eventData(event));
    storedFrames.set(event, text);
  }
  return text;
}

/** The type the row was written with (an unrecognised row keeps the name another version gave it). */
function typeOf(event: StoredEvent): string {
  return event.recognised ? event.type : event.storedType;
}

function eventData(event: StoredEvent) {
  return { id: event.id, type: typeOf(event), jobId: event.jobId ?? null, taskId: event.taskId ?? null, payload: event.payload, createdAt: isoTime(event.createdAtMs) };
}

function frame(id: number | undefined, type: string, data: unknown): string {
  // JSON has no raw newlines, so one data line carries it.
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
