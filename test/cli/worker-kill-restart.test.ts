/**
 * A worker killed with kill -9 and restarted takes its dead predecessor's tasks back at once
 * (issue 21): they no longer hold the provider's concurrency until their leases expire.
 */
import path from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { cleanEnvironment, startCli, within, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('imagefleet worker after kill -9', () => {
  const workers: CliProcess[] = [];
  let fleet: Fleet | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await fleet?.stop();
    await cleanup?.();
  });

  it('claims the dead process’s in-flight work within 2 s of the restart, long before the 60 s leases expire', { timeout: 90_000 }, async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const dataDir = path.join(temp.directory, 'data');
    const shared = { IMAGEFLEET_LEASE_MS: '60000', IMAGEFLEET_LOCAL_CONCURRENCY: '2', IMAGEFLEET_IDLE_POLL_MS: '50' };
    fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, ...shared }));
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'local', items: [{ referenceAssetIds: [], prompts: [{ text: 'a lamp', count: 2 }] }], batchSize: 1, settings: { size: '512' } });
    const jobId = job!.id;
    const store = fleet.store;

    // The first worker's calls hang (a slow provider), holding both concurrency slots.
    const first = startCli(['worker', '--data-dir', dataDir], { env: cleanEnvironment({ ...shared, IMAGEFLEET_LOCAL_LATENCY_MS: '600000' }) });
    workers.push(first);
    await until(async () => (await store.jobs.taskCounts(jobId)).running === 2, 'the first worker to hold both tasks', 30_000);
    first.child.kill('SIGKILL');
    await within(first.exited, 10_000, 'the first worker did not die');

    const second = startCli(['worker', '--data-dir', dataDir], { env: cleanEnvironment(shared) });
    workers.push(second);
    await until(() => second.stdout().includes('imagefleet worker started'), 'the second worker to start', 30_000);
    // Claimed back within 2 s of starting (the leases still have about a minute to run).
    await until(() => second.stdout().includes('Took back tasks held by processes of this machine that no longer exist'), 'the restarted worker to take the tasks back', 2_000);
    await until(async () => (await store.jobs.taskCounts(jobId)).completed === 2, 'the restarted worker to finish both tasks', 20_000);
  });
});
