/** Shared set-up of the RunPod tests: a fleet whose `runpod` provider talks to the fake endpoint, and a log recorder. */
import { loadConfig } from '../../../src/config/load-config.js';
import type { Logger } from '../../../src/core/logger.js';
import { createFleet, type Fleet } from '../../../src/fleet/create-fleet.js';
import { waitFor } from '../../support/engine-harness.js';
import type { FakeRunpodServer } from '../../fakes/runpod/fake-runpod-server.js';

/** A key that must never show up in an error message or a log line. */
export const canaryRunpodKey = 'rpa_CANARY7F3E9D1B2C-never-print-me';
export { RecordingLogger } from '../../support/recording-logger.js';

export const fakeEndpointId = 'imagefleet-test-endpoint';

/** Opens a fleet on `dataDir` with the `runpod` provider pointed at `fake` (fast engine timings). */
export async function openRunpodFleet(fake: FakeRunpodServer, dataDir: string, logger: Logger, environment: Record<string, string> = {}): Promise<Fleet> {
  const config = loadConfig({
    IMAGEFLEET_DATA_DIR: dataDir,
    IMAGEFLEET_IDLE_POLL_MS: '20',
    IMAGEFLEET_RETRY_BASE_MS: '20',
    IMAGEFLEET_RETRY_MAX_MS: '200',
    IMAGEFLEET_MAX_ATTEMPTS: '5',
    IMAGEFLEET_SHUTDOWN_GRACE_MS: '5000',
    RUNPOD_API_KEY: canaryRunpodKey,
    RUNPOD_ENDPOINT_ID: fakeEndpointId,
    RUNPOD_BASE_URL: fake.baseUrl,
    RUNPOD_WORKER_PROVIDER: 'local',
    RUNPOD_RPM: '0',
    RUNPOD_CONCURRENCY: '50',
    RUNPOD_PRICE_PER_SECOND_USD: '0.0002',
    ...environment,
  });
  return createFleet(config, { logger });
}

/** Waits until the job ends (completed, failed or canceled). */
export async function jobFinished(fleet: Fleet, jobId: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => ['completed', 'failed', 'canceled'].includes((await fleet.store.jobs.getJob(jobId))?.status ?? ''), timeoutMs, `job ${jobId} to finish`);
}

/** A studio job of `count` one-image tasks on the `runpod` provider's local model. */
export function studioJob(count: number, prompt = 'a mug'): Record<string, unknown> {
  return {
    mode: 'studio',
    provider: 'runpod',
    model: 'local-transform',
    settings: { size: '512', aspectRatio: '1:1' },
    batchSize: 1,
    seed: 100,
    items: [{ referenceAssetIds: [], prompts: [{ text: prompt, count }] }],
  };
}
