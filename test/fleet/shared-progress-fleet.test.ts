/**
 * Issue 17: `task.progress` is never stored, yet a browser on one machine must see the progress
 * bar of a task running on another. Two fleets share one real (throwaway) Postgres database, each
 * with its own data directory; a task running on the worker reports progress, and the web
 * machine's live-event stream receives it, while the worker's own bus gets no echo.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEventOf } from '../../src/core/events.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { EventFanOut } from '../../src/server/event-fan-out.js';
import { waitFor } from '../support/engine-harness.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { ScriptedProvider, succeed } from '../support/scripted-provider.js';
import { makeTempDir } from '../support/temp-dir.js';

const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;

type ProgressEvent = DomainEventOf<'task.progress'>;

/** The fraction, job and task of each progress event, in order. */
function reports(events: readonly ProgressEvent[]): Array<{ jobId: string; taskId: string; fraction: number }> {
  return events.map((event) => ({ jobId: event.jobId, taskId: event.taskId, fraction: event.payload.fraction }));
}

describe.skipIf(!postgresAvailable)('task progress shared between fleets on one Postgres (skipped outside CI when PostgreSQL is not installed)', () => {
  let postgres: PostgresServer;
  let temp: { directory: string; cleanup: () => Promise<void> };
  const fleets: Fleet[] = [];

  beforeAll(async () => {
    [postgres, temp] = await Promise.all([startPostgresServer(), makeTempDir('imagefleet-progress-')]);
  }, 90_000);
  afterEach(async () => {
    for (const fleet of fleets.splice(0)) await fleet.stop();
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), temp?.cleanup()]);
  });

  async function openMachine(databaseUrl: string, machine: string, provider: ScriptedProvider): Promise<Fleet> {
    const environment = {
      IMAGEFLEET_DATA_DIR: path.join(temp.directory, machine),
      IMAGEFLEET_DATABASE_URL: databaseUrl,
      IMAGEFLEET_DATABASE_POOL_SIZE: '4',
      IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000',
    };
    const fleet = await createFleet(loadConfig(environment), { extraProviders: [provider] });
    fleets.push(fleet);
    return fleet;
  }

  it("shows a task's progress on another machine's live-event stream, without echoing it back to the machine running it", async () => {
    const databaseUrl = await postgres.createDatabase('progress_1');
    let releaseTask: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      releaseTask = resolve;
    });
    const running = new ScriptedProvider({
      script: async (request, call) => {
        request.onProgress?.(0.25);
        // Held until the other machine has seen the first report.
        await released;
        // Back to back: at least 0.75 falls inside a throttle window, is held back, and must
        // still arrive as the last value (0.5 may be superseded by it).
        request.onProgress?.(0.5);
        request.onProgress?.(0.75);
        await new Promise((resolve) => setTimeout(resolve, 600));
        return succeed()(request, call);
      },
    });
    const worker = await openMachine(databaseUrl, 'worker', running);
    // The web machine never runs tasks (its engine is not started); it only serves streams.
    const web = await openMachine(databaseUrl, 'web', new ScriptedProvider());

    const onWorker: ProgressEvent[] = [];
    const unsubscribeWorker = worker.engine.subscribe((event) => {
      if (event.type === 'task.progress') onWorker.push(event);
    });
    const fanOut = new EventFanOut(web, 60_000);
    await fanOut.start();
    const onWeb: ProgressEvent[] = [];
    const detach = fanOut.attach((event) => onWeb.push(event));
    try {
      worker.start();
      const { job } = await worker.submitJob({ mode: 'studio', provider: 'scripted', model: 'scripted-model', batchSize: 1, items: [{ referenceAssetIds: [], prompts: [{ text: 'progress elsewhere', count: 1 }] }] });
      const [task] = await worker.store.jobs.listTasks(job!.id, {});
      const expected = (fraction: number) => ({ jobId: job!.id, taskId: task!.id, fraction });

      await waitFor(() => onWeb.length >= 1, 20_000, 'the web machine saw the first progress report');
      expect(reports(onWeb)).toEqual([expected(0.25)]);
      releaseTask();
      await waitFor(async () => (await web.store.jobs.getJob(job!.id))?.status === 'completed', 20_000, 'job completed on the worker');
      await waitFor(() => reports(onWeb).some((report) => report.fraction === 0.75), 20_000, 'the web machine saw the last value');

      // Reports arrive in order, the held-back last one included, none twice.
      const fractions = reports(onWeb).map((report) => report.fraction);
      expect(fractions[0]).toBe(0.25);
      expect(fractions.at(-1)).toBe(0.75);
      expect(fractions).toEqual([...new Set(fractions)].sort((left, right) => left - right));
      expect(reports(onWeb).every((report) => report.jobId === job!.id && report.taskId === task!.id)).toBe(true);
      // The worker's bus holds only its own three: nothing came back from the database.
      expect(reports(onWorker)).toEqual([expected(0.25), expected(0.5), expected(0.75)]);
    } finally {
      detach();
      fanOut.close();
      unsubscribeWorker();
    }
  }, 60_000);
});
