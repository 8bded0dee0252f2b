/**
 * Many live-event streams of one job share one reader (issue 21): a long history is replayed to
 * every stream completely and in order, from shared pages — fewer database reads than streams —
 * and new events reach every stream.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleEvents } from '../../src/server/events-handler.js';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { apiRequest, call, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';
import { SseReader } from './sse-reader.js';

describe('live events fan-out', () => {
  let harness: ApiHarness;
  const controllers: AbortController[] = [];
  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => {
    for (const controller of controllers) controller.abort();
    await harness.close();
  });

  it('replays a 3,000-event history to 50 streams completely and in order, then follows new events', async () => {
    const job = await expectJson<{ id: string }>(
      await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, items: [{ prompt: 'a lamp', count: 2 }] } })),
      201,
    );
    const database = new BetterSqlite3(path.join(harness.dataDir, 'imagefleet.db'));
    const insert = database.prepare('INSERT INTO events (type, job_id, task_id, payload_json, created_at_ms) VALUES (?, ?, ?, ?, ?)');
    database.transaction(() => {
      for (let index = 0; index < 3000; index += 1) insert.run(index === 2999 ? 'test.last' : 'test.seeded', job.id, null, JSON.stringify({ index }), Date.now());
    })();
    database.close();

    // Counts the store's job-filtered event reads (a replay's reads) while the streams catch up: on
    // the real store, only counted, then passed through. A reader per stream would make at least
    // one each (the stall of issue 21: 200 clients each replaying the job's history from the database).
    const events = harness.fleet.store.events;
    const readEvents = events.readEvents.bind(events);
    let jobHistoryReads = 0;
    events.readEvents = (...args: Parameters<typeof readEvents>) => {
      if (args[1]?.jobId !== undefined) jobHistoryReads += 1;
      return readEvents(...args);
    };

    const readers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const response = await call(handleEvents, new Request(apiRequest(`/api/events?job=${job.id}`), { signal: controller.signal }));
        return new SseReader(response.body!);
      }),
    );
    const histories = await Promise.all(readers.map((reader) => reader.until((frame) => frame.event === 'test.last')));
    for (const frames of histories) {
      const seeded = frames.filter((frame) => frame.event === 'test.seeded' || frame.event === 'test.last');
      expect(seeded).toHaveLength(3000);
      const ids = frames.filter((frame) => frame.id !== undefined).map((frame) => Number(frame.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    expect(jobHistoryReads).toBeLessThan(readers.length);

    harness.fleet.start();
    await Promise.all(readers.map((reader) => reader.until((frame) => frame.event === 'job.finished')));
  });
});
