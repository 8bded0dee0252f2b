/**
 * `GET /api/events`: Server-Sent Events for job and task progress. The stream tails the durable
 * `events` table by id (so `Last-Event-ID` resumes exactly where a client left off, across
 * restarts and for events written by other processes), wakes at once on this process's engine
 * events, forwards `task.progress` (in-process only, no id), sends a heartbeat comment every
 * 15 s, and stops — timers, subscription, database reads — when the client goes.
 */
import { ImagefleetError, invalidInput } from '../core/errors.js';
import type { EngineEvent } from '../engine/engine-events.js';
import type { StoredEvent } from '../engine/ports.js';
import { apiRoute } from './api-route.js';
import { readQuery } from './request-input.js';
import { isoTime } from './schemas/common.js';
import { eventsQuerySchema } from './schemas/events.js';
import { maxEventStreams, serverState } from './server-state.js';

/** How often the table is read when nothing woke the stream (events of other processes). */
export const eventPollMs = 1000;
/** Comment lines that keep proxies from closing an idle stream. */
export const heartbeatMs = 15_000;
/** Events read per batch. */
const batchSize = 200;
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
    if (jobId !== undefined && !(await fleet.store.jobs.getJob(jobId))) throw new ImagefleetError('not_found', `No job with id ${jobId}.`);
    let cursor =
      lastEventId !== null ? Number(lastEventId.trim()) : query.after !== undefined ? query.after : jobId !== undefined ? 0 : await fleet.store.events.lastEventId();

    const state = serverState(fleet);
    if (state.eventStreams >= maxEventStreams) {
      throw new ImagefleetError('too_many_requests', `This server already serves ${maxEventStreams} event streams; close some or try again later.`, { retryAfterMs: 10_000 });
    }
    state.eventStreams += 1;

    const encoder = new TextEncoder();
    let closed = false;
    let wake: (() => void) | undefined;
    let progress: string[] = [];
    let lastSentAtMs = Date.now();
    const timers: NodeJS.Timeout[] = [];
    const poke = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    const unsubscribe = fleet.engine.subscribe((event: EngineEvent) => {
      if (jobId !== undefined && (!('jobId' in event) || event.jobId !== jobId)) return;
      if (event.type === 'task.progress') {
        progress.push(frame(undefined, event.type, { id: null, type: event.type, jobId: event.jobId, taskId: event.taskId, payload: { fraction: event.fraction }, createdAt: isoTime(Date.now()) }));
        if (progress.length > maxPendingProgress) progress = progress.slice(-maxPendingProgress);
      }
      poke();
    });
    const cleanup = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const timer of timers) clearInterval(timer);
      state.eventStreams -= 1;
      poke();
    };
    timers.push(setInterval(poke, eventPollMs));
    request.signal.addEventListener('abort', cleanup, { once: true });

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
            const events = await fleet.store.events.readEvents(cursor, { ...(jobId !== undefined ? { jobId } : {}), limit: batchSize });
            const chunks = progress;
            progress = [];
            for (const event of events) {
              chunks.push(frame(event.id, event.type, eventData(event)));
              cursor = event.id;
            }
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
            await new Promise<void>((resolve) => (wake = resolve));
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

function eventData(event: StoredEvent) {
  return { id: event.id, type: event.type, jobId: event.jobId ?? null, taskId: event.taskId ?? null, payload: event.payload, createdAt: isoTime(event.createdAtMs) };
}

function frame(id: number | undefined, type: string, data: unknown): string {
  // JSON has no raw newlines, so one data line carries it.
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
