/**
 * `imagefleet runpod-worker`: the TypeScript side of the RunPod worker image. It serves
 * `GET /ping` and `POST /jobs` on 127.0.0.1 (`RUNPOD_WORKER_PORT`) until SIGTERM; the Python
 * handler (`worker/handler.py`, RunPod's official runtime) forwards each job to it
 * (decisions/0015).
 */
import type { Command } from 'commander';
import { createLogger } from '../config/create-logger.js';
import { loadConfig } from '../config/load-config.js';
import { globalConfigFlags, type CliContext, type CommandRegistration } from './cli-context.js';
import { listenForShutdownSignal } from './shutdown-signal.js';

export const registerRunpodWorkerCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('runpod-worker')
    .description('serve generation jobs for the RunPod worker image on 127.0.0.1 (RUNPOD_WORKER_PORT), until SIGTERM')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig(context.environment, globalConfigFlags(command, context));
      const logger = createLogger({ level: config.logLevel, format: config.logFormat });
      const shutdownSignal = listenForShutdownSignal({ onForcedExit: () => process.exit(1) });
      const { openRunpodWorker } = await import('../worker/open-runpod-worker.js');
      let worker: Awaited<ReturnType<typeof openRunpodWorker>> | undefined;
      try {
        worker = await openRunpodWorker(config, logger, context.fleetOptions ?? {});
        const signal = await shutdownSignal.received;
        logger.info({ signal }, 'RunPod worker service stopping.');
      } finally {
        await worker?.close();
        shutdownSignal.dispose();
      }
    });
};
