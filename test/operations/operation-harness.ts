/**
 * Real parts for operation tests: a SQLite store and file blobs in a temporary directory, a real
 * (not started) engine, a manual clock, and the engine's and webhook worker's signals counted as
 * they pass through to the real engine. Operations get exactly the dependencies they ask for.
 */
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.js';
import type { EngineSignals } from '../../src/operations/operation-dependencies.js';
import { createEngineHarness, type EngineHarness } from '../support/engine-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { ScriptedProvider } from '../support/scripted-provider.js';

export interface OperationHarness {
  harness: EngineHarness;
  clock: ManualClock;
  config: Config;
  logger: RecordingLogger;
  /** Counts `wake` calls, then passes every call on to the real engine. */
  engine: EngineSignals & { wakes: number };
  webhookDeliverer: { wake(): void; wakes: number };
  cleanup(): Promise<void>;
}

export async function openOperationHarness(env: Record<string, string> = {}): Promise<OperationHarness> {
  const clock = new ManualClock();
  const harness = await createEngineHarness({ providers: [new ScriptedProvider()], clock });
  const config = loadConfig({ IMAGEFLEET_DATA_DIR: path.join(harness.directory, 'data'), ...env });
  const engine = {
    wakes: 0,
    wake() {
      engine.wakes += 1;
      harness.engine.wake();
    },
    subscribe: (listener: Parameters<EngineSignals['subscribe']>[0]) => harness.engine.subscribe(listener),
    cancelJob: (jobId: string) => harness.engine.cancelJob(jobId),
    cancelTask: (taskId: string) => harness.engine.cancelTask(taskId),
  };
  const webhookDeliverer = {
    wakes: 0,
    wake() {
      webhookDeliverer.wakes += 1;
    },
  };
  return { harness, clock, config, logger: new RecordingLogger(), engine, webhookDeliverer, cleanup: () => harness.cleanup() };
}
