/**
 * A job canceled while a call runs keeps no orphaned images (issue 21, docs/decisions/0022): when
 * the completion is refused because the task was canceled, the files that attempt wrote go.
 * The cancel comes from another process's view of the store (a second fleet on the same data
 * directory), so the running worker only learns of it when it tries to complete.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { waitFor } from '../support/engine-harness.js';
import { ScriptedProvider, tinyPng } from '../support/scripted-provider.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('outputs of a canceled job', () => {
  const fleets: Fleet[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const fleet of fleets.splice(0)) await fleet.stop();
    await cleanup?.();
  });

  it('are removed when the canceled task’s late result arrives', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const environment = { IMAGEFLEET_DATA_DIR: temp.directory, IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_LEASE_MS: '60000', IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000' };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const png = await tinyPng();
    const provider = new ScriptedProvider({
      maxImagesPerCall: 2,
      script: async (request) => {
        await gate;
        return { images: Array.from({ length: request.n }, () => ({ bytes: png, mediaType: 'image/png', width: 8, height: 8 })), warnings: [] };
      },
    });
    const worker = await createFleet(loadConfig(environment), { extraProviders: [provider] });
    fleets.push(worker);
    const other = await createFleet(loadConfig(environment), { extraProviders: [new ScriptedProvider()] });
    fleets.push(other);

    const { job } = await worker.submitJob({ mode: 'studio', provider: 'scripted', model: 'scripted-model', items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 2 }] }], batchSize: 2 });
    const jobId = job!.id;
    worker.start();
    await waitFor(() => provider.calls.length === 1, 10_000, 'the call to start');
    await other.engine.cancelJob(jobId);
    release();

    const outputs = path.join(temp.directory, 'files', 'outputs', jobId);
    const thumbnails = path.join(temp.directory, 'files', 'thumbnails', jobId);
    const files = async (directory: string) => readdir(directory).catch(() => [] as string[]);
    await waitFor(() => worker.engine.inFlightCount === 0, 10_000, 'the call to end');
    expect((await worker.store.jobs.getJob(jobId))?.status).toBe('canceled');
    expect(await worker.store.images.listImages({ jobId, limit: 10 })).toHaveLength(0);
    expect(await files(outputs)).toEqual([]);
    expect(await files(thumbnails)).toEqual([]);
  });
});
