/**
 * `imagefleet worker`: the engine alone, claiming tasks from the shared data store until SIGTERM
 * (DESIGN §2). Run several against one data directory; leases keep them from doubling work.
 */
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { createLogger } from '../config/create-logger.js';
import { loadConfig } from '../config/load-config.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { globalConfigFlags, type CliContext, type CommandRegistration } from './cli-context.js';
import { openFleet } from './open-fleet.js';
import { listenForShutdownSignal } from './shutdown-signal.js';

export const registerWorkerCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('worker')
    .description('run the engine alone on the data directory, until SIGTERM or Ctrl-C')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig(context.environment, globalConfigFlags(command, context));
      await runWorker(config);
    });
};

/** Starts the engine, waits for SIGTERM/SIGINT, then stops it gracefully. */
export async function runWorker(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const shutdownSignal = listenForShutdownSignal({
    onForcedExit: (signal) => {
      logger.warn({ signal }, 'second stop signal: exiting without waiting for in-flight work');
      process.exit(1);
    },
  });
  let fleet: Fleet | undefined;
  try {
    fleet = await openFleet(config, logger);
    fleet.start();
    logger.info({ dataDir: config.dataDir }, 'imagefleet worker started');
    const signal = await shutdownSignal.received;
    logger.info({ signal }, 'stopping: no new claims; letting in-flight work finish');
  } finally {
    await fleet?.stop();
    shutdownSignal.dispose();
  }
  logger.info({}, 'stopped');
}
