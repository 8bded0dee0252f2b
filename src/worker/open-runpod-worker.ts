/**
 * Assembles the worker image's service from the configuration: the providers the app would have
 * (built by `createFleet`, so every provider the app knows runs in the worker too; the engine is
 * never started), the bucket when `BUCKET_*` is set, and the loopback HTTP service.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { CreateFleetOptions } from '../fleet/create-fleet.js';
import { createBucketImageStore } from './bucket-image-store.js';
import { startWorkerService, type WorkerService } from './worker-service.js';

export interface RunpodWorker {
  readonly service: WorkerService;
  /** Provider ids jobs may name. */
  readonly providerIds: string[];
  close(): Promise<void>;
}

export async function openRunpodWorker(config: Config, logger: Logger, options: Pick<CreateFleetOptions, 'extraProviders'> & { port?: number } = {}): Promise<RunpodWorker> {
  const { createFleet } = await import('../fleet/create-fleet.js');
  const fleet = await createFleet(config, { logger, ...(options.extraProviders ? { extraProviders: options.extraProviders } : {}) });
  try {
    const settings = config.runpodWorker;
    const service = await startWorkerService({
      port: options.port ?? settings.port,
      concurrency: settings.concurrency,
      context: {
        providers: fleet.providers,
        imageStore: settings.bucket === undefined ? undefined : createBucketImageStore(settings.bucket),
        inlineMaxBytes: settings.inlineMaxBytes,
        logger,
      },
    });
    const providerIds = fleet.providers
      .list()
      .map((provider) => provider.id)
      .filter((id) => id !== 'runpod');
    logger.info({ url: service.url, providers: providerIds, bucket: settings.bucket === undefined ? 'none' : new URL(settings.bucket.endpointUrl).host }, 'RunPod worker service ready.');
    return {
      service,
      providerIds,
      async close() {
        await service.close();
        await fleet.stop();
      },
    };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}
