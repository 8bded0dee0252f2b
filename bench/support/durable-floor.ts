/**
 * The floor of the engine-overhead benchmark: a bare loop doing only the durable work of a task,
 * measured in the same run as the engine so the ratio between them survives a noisy machine.
 *
 * Per task it writes the output PNG and its WebP thumbnail through the engine's own code
 * (`writeOutputImage` over a `FileBlobStore`: the output by temp file, fdatasync, rename, shared
 * directory sync; the thumbnail by temp file and rename without syncs, decision 0048)
 * and then commits one completion transaction on the same SQLite schema and connection settings:
 * the task row marked completed under its lease, one `images` row, one `task.completed` event row.
 * No claim planning, no limits, no provenance stamp, no event bus, no webhooks: everything the
 * engine does beyond this is its overhead.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { writeOutputImage } from '../../src/imaging/output-image-writer.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { sqliteDatabaseOf } from '../../test/support/sqlite-database-of.js';
import { createInstantProvider } from './instant-provider.js';
import { mainThreadCpuMs } from './main-thread-cpu.js';
import { formatThreadCpuPerTask, threadCpuMsByKind } from './thread-cpu.js';
import { smallPngSidePixels } from './small-png.js';
import { makeTempDataDir } from './temp-data-dir.js';

/** What one floor round measured; the same fields as an engine round, so they compare one to one. */
export interface DurableFloorRound {
  tasks: number;
  /** From the first write to the last commit, ms. */
  totalMs: number;
  tasksPerSecond: number;
  /** Process CPU (user + system, all threads) ÷ wall time; 200% = both cores of a 2-core machine. */
  cpuPercent: number;
  /** CPU time of the main thread per task, ms (undefined without /proc). */
  mainThreadCpuPerTaskMs: number | undefined;
  /** CPU time of all the process's threads per task, ms. */
  processCpuPerTaskMs: number;
}

/**
 * Runs `taskCount` tasks' durable work, `concurrency` at a time (the engine's `maxInFlight`), on a
 * fresh data directory. The task rows are made by a real submit (untimed) so the schema, indexes
 * and row sizes are the engine's.
 */
export async function runDurableFloorRound(taskCount: number, concurrency: number, png: Uint8Array, studioSpec: (taskCount: number) => unknown): Promise<DurableFloorRound> {
  const dataDir = await makeTempDataDir('floor');
  const config = loadConfig({ IMAGEFLEET_DATA_DIR: dataDir.directory, IMAGEFLEET_LOG_LEVEL: 'silent' });
  // The fleet is never started: it only opens and migrates the database and holds the rows.
  const fleet = await createFleet(config, { extraProviders: [createInstantProvider(png)] });
  try {
    const submitted = await fleet.submitJob(studioSpec(taskCount));
    const jobId = submitted.job?.id;
    if (!jobId) throw new Error('submitJob created no job');
    const { sqlite } = sqliteDatabaseOf(fleet);
    const groupId = sqlite.prepare('SELECT group_id FROM jobs WHERE id = ?').pluck().get(jobId) as string;
    const tasks = sqlite.prepare('SELECT id, prompt, prompt_id FROM tasks WHERE job_id = ? ORDER BY ordinal').all(jobId) as Array<{ id: string; prompt: string; prompt_id: string }>;
    const leaseToken = randomUUID();
    sqlite.prepare("UPDATE tasks SET status = 'running', lease_token = ?, lease_owner = 'floor' WHERE job_id = ?").run(leaseToken, jobId);

    const begin = sqlite.prepare('BEGIN IMMEDIATE');
    const commit = sqlite.prepare('COMMIT');
    const completeTask = sqlite.prepare(
      "UPDATE tasks SET status = 'completed', lease_token = NULL, lease_owner = NULL, lease_expires_at_ms = NULL, cost_usd = 0, finished_at_ms = ?, updated_at_ms = ? WHERE id = ? AND lease_token = ? AND status = 'running'",
    );
    const insertImage = sqlite.prepare(
      'INSERT INTO images (id, task_id, job_id, group_id, idx, file_key, thumbnail_key, media_type, width, height, byte_size, seed, prompt, prompt_id, created_at_ms) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)',
    );
    const insertEvent = sqlite.prepare("INSERT INTO events (type, job_id, task_id, payload_json, created_at_ms) VALUES ('task.completed', ?, ?, ?, ?)");
    const blobs = new FileBlobStore(config.blobsDir);

    const cpuAtStart = process.cpuUsage();
    const mainThreadCpuAtStartMs = mainThreadCpuMs();
    const threadCpuAtStart = threadCpuMsByKind();
    const startedAt = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tasks.length) {
          const task = tasks[next]!;
          next += 1;
          const stored = await writeOutputImage(blobs, { jobId, taskId: task.id, index: 0, bytes: png, mediaType: 'image/png' });
          const nowMs = Date.now();
          begin.run();
          try {
            if (completeTask.run(nowMs, nowMs, task.id, leaseToken).changes !== 1) throw new Error(`Floor task ${task.id} was not running under the floor's lease.`);
            insertImage.run(randomUUID(), task.id, jobId, groupId, stored.fileKey, stored.thumbnailKey, 'image/png', smallPngSidePixels, smallPngSidePixels, stored.byteSize, task.prompt, task.prompt_id, nowMs);
            insertEvent.run(jobId, task.id, JSON.stringify({ imageCount: 1, costUsd: 0, warnings: [] }), nowMs);
            commit.run();
          } catch (error) {
            sqlite.prepare('ROLLBACK').run();
            throw error;
          }
        }
      }),
    );
    const totalMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    const mainThreadCpuAtEndMs = mainThreadCpuMs();
    console.log(`engine overhead: floor CPU by thread: ${formatThreadCpuPerTask(threadCpuAtStart, threadCpuMsByKind(), taskCount)}`);
    const images = sqlite.prepare('SELECT COUNT(*) FROM images WHERE job_id = ?').pluck().get(jobId) as number;
    if (images !== taskCount) throw new Error(`Floor round wrote ${images} image rows, expected ${taskCount}.`);
    return {
      tasks: taskCount,
      totalMs,
      tasksPerSecond: taskCount / (totalMs / 1000),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / totalMs) * 100,
      mainThreadCpuPerTaskMs: mainThreadCpuAtStartMs === undefined || mainThreadCpuAtEndMs === undefined ? undefined : (mainThreadCpuAtEndMs - mainThreadCpuAtStartMs) / taskCount,
      processCpuPerTaskMs: (cpu.user + cpu.system) / 1000 / taskCount,
    };
  } finally {
    await fleet.stop();
    await dataDir.remove();
  }
}
