/**
 * Creates the fleet for a long-running shell. `createFleet` is imported lazily so `--help` and
 * `--version` never load the store, providers or engine (startup stays fast).
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { CreateFleetOptions, Fleet } from '../fleet/create-fleet.js';

/** Builds the fleet (store, blobs, providers, engine) for `config`; the engine is not started. */
export async function openFleet(config: Config, logger: Logger, extra: Pick<CreateFleetOptions, 'extraProviders' | 'extraLimits'> = {}): Promise<Fleet> {
  const { createFleet } = await import('../fleet/create-fleet.js');
  return createFleet(config, { ...extra, logger });
}
