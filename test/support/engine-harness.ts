import { randomUUID } from 'node:crypto';
import type { JobPriority, ExecutionMode } from '../../src/core/job.js';
import { silentLogger } from '../../src/core/logger.js';
import { Engine, type EngineSettings } from '../../src/engine/engine.js';
import type { Clock, ProviderLimits } from '../../src/engine/ports.js';
import { systemClock } from '../../src/engine/system-clock.js';
import type { ImageProvider } from '../../src/providers/contract.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { createOutputImageWriter } from '../../src/imaging/output-image-writer.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { makeTempDir } from './temp-dir.js';
import path from 'node:path';

export const defaultTestSettings: EngineSettings = {
  leaseMs: 5_000,
  maxInFlight: 8,
  shutdownGraceMs: 2_000,
  maxAttempts: 3,
  maxLeaseExpirations: 3,
  idlePollMs: 20,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  appVersion: 'test',
};

export interface HarnessOptions {
  providers: ImageProvider[];
  clock?: Clock;
  settings?: Partial<EngineSettings>;
  limits?: Partial<ProviderLimits>;
  random?: () => number;
  /** Share an existing store (several engines on one connection). */
  store?: SqliteStore;
  directory?: string;
}

export interface TestJobOptions {
  provider?: string;
  model?: string;
  taskCount?: number;
  imagesPerTask?: number;
  priority?: JobPriority;
  execution?: ExecutionMode;
  budgetUsd?: number;
  estimatedCostPerTaskUsd?: number;
  promptPrefix?: string;
}

export interface EngineHarness {
  store: SqliteStore;
  blobs: FileBlobStore;
  registry: ProviderRegistry;
  engine: Engine;
  directory: string;
  createJob(options?: TestJobOptions): Promise<string>;
  taskStatuses(jobId: string): Promise<Record<string, number>>;
  cleanup(): Promise<void>;
}

export async function createEngineHarness(options: HarnessOptions): Promise<EngineHarness> {
  const temp = options.directory ? undefined : await makeTempDir();
  const directory = options.directory ?? temp!.directory;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await openSqliteStore({ databasePath: path.join(directory, 'imagefleet.db'), now: () => clock.now() }));
  const blobs = new FileBlobStore(path.join(directory, 'files'));
  const registry = new ProviderRegistry();
  for (const provider of options.providers) registry.register(provider);
  const limits: ProviderLimits = { requestsPerMinute: 0, maxConcurrency: 8, cooldownMs: 0, ...options.limits };
  const engine = new Engine(
    {
      queue: store.queue,
      control: store.control,
      assets: store.assets,
      blobs,
      outputs: createOutputImageWriter(blobs),
      providers: registry,
      limitsFor: () => limits,
      clock,
      logger: silentLogger,
      events: store.eventBus,
      ...(options.random ? { random: options.random } : {}),
    },
    { ...defaultTestSettings, ...options.settings },
  );
  const ownsStore = options.store === undefined;

  return {
    store,
    blobs,
    registry,
    engine,
    directory,
    async createJob(job: TestJobOptions = {}): Promise<string> {
      const group = await store.groups.getOrCreateDefault();
      const jobId = randomUUID();
      const nowMs = clock.now();
      const taskCount = job.taskCount ?? 1;
      const perTaskUsd = job.estimatedCostPerTaskUsd ?? 0;
      await store.jobs.createJob({
        job: {
          id: jobId,
          mode: 'studio',
          groupId: group.id,
          name: 'test job',
          provider: job.provider ?? options.providers[0]!.id,
          model: job.model ?? options.providers[0]!.models()[0]!.modelId,
          settings: { size: '1K', aspectRatio: '1:1' },
          lane: 'online',
          priority: job.priority ?? 'normal',
          execution: job.execution ?? 'parallel',
          budgetUsd: job.budgetUsd,
          estimatedCostUsd: perTaskUsd * taskCount,
          createdAtMs: nowMs,
        },
        tasks: Array.from({ length: taskCount }, (_, ordinal) => ({
          id: randomUUID(),
          key: `${jobId}:${ordinal}`,
          ordinal,
          prompt: `${job.promptPrefix ?? 'prompt'} ${ordinal}`,
          promptId: 'p',
          referenceAssetIds: [],
          maskAssetId: undefined,
          imageCount: job.imagesPerTask ?? 1,
          seed: 1000 + ordinal,
          setIndex: 0,
          variables: {},
          estimatedCostUsd: perTaskUsd,
          createdAtMs: nowMs,
        })),
      });
      engine.wake();
      return jobId;
    },
    async taskStatuses(jobId: string): Promise<Record<string, number>> {
      const counts = await store.jobs.taskCounts(jobId);
      return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
    },
    async cleanup(): Promise<void> {
      await engine.stop(0);
      if (ownsStore) await store.close();
      await temp?.cleanup();
    },
  };
}

/** Polls `predicate` (real time) until it holds or `timeoutMs` passes. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Lets pending promise callbacks and short timers run (real time). */
export function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
