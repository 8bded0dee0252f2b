/**
 * Opens the fleet for a batch command (run, resume, status, …): configuration from the environment
 * and the global flags, the provider limits `--concurrency`, `--rpm` and `--cooldown` override for
 * this process, and a logger that stays out of the way of the progress display (stderr, errors
 * only, unless a log level was asked for).
 */
import type { Command } from 'commander';
import type { Config, ProviderLimits } from '../../config/config.js';
import { createLogger } from '../../config/create-logger.js';
import { loadConfig } from '../../config/load-config.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { globalConfigFlags, type CliContext } from '../cli-context.js';
import { openFleet } from '../open-fleet.js';
import { usage } from './generation-options.js';

export interface LimitOverrides {
  provider: string;
  concurrency: number | undefined;
  /** A fixed rate, or `auto` to learn it (decision 0040). */
  rpm: number | 'auto' | undefined;
  cooldownMs: number | undefined;
}

/** The configuration a batch command runs with. */
export function cliConfig(context: CliContext, command: Command, limits?: LimitOverrides): Config {
  const config = loadConfig(context.environment, globalConfigFlags(command, context));
  return limits ? withProviderLimits(config, limits) : config;
}

export async function openCliFleet(context: CliContext, command: Command, config: Config): Promise<Fleet> {
  const explicitLevel = command.optsWithGlobals<{ logLevel?: string }>().logLevel ?? context.environment.IMAGEFLEET_LOG_LEVEL;
  const logger = createLogger({ level: explicitLevel === undefined ? 'error' : config.logLevel, format: config.logFormat, fileDescriptor: 2 });
  return openFleet(config, logger, context.fleetOptions);
}

/** `config` with the provider's limits replaced where a flag was given. */
export function withProviderLimits(config: Config, overrides: LimitOverrides): Config {
  const changes: Partial<ProviderLimits> = {};
  if (overrides.concurrency !== undefined) changes.maxConcurrency = overrides.concurrency;
  if (overrides.rpm === 'auto') {
    // Learned from the provider's 429s, with no ceiling: no RPM window.
    changes.requestsPerMinute = 0;
    changes.learnedRate = true;
  } else if (overrides.rpm !== undefined) {
    // A number on the command line is the user's fixed rate: nothing is learned.
    changes.requestsPerMinute = overrides.rpm;
    changes.learnedRate = false;
  }
  if (overrides.cooldownMs !== undefined) changes.cooldownMs = overrides.cooldownMs;
  if (Object.keys(changes).length === 0) return config;
  const providers = config.providers as unknown as Record<string, { limits?: ProviderLimits } | undefined>;
  const current = providers[overrides.provider];
  if (!current?.limits) {
    throw usage(`--concurrency, --rpm and --cooldown cannot be set for provider "${overrides.provider}" here; set its limits in the environment instead (docs/configuration.md).`);
  }
  return {
    ...config,
    // This process must be able to run as many calls at once as asked.
    engine: { ...config.engine, maxInFlight: Math.max(config.engine.maxInFlight, changes.maxConcurrency ?? 0) },
    providers: { ...config.providers, [overrides.provider]: { ...current, limits: { ...current.limits, ...changes } } },
  };
}
