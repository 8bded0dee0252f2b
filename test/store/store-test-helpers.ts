/** Shared fixtures for store tests: a fresh temp directory and database per test, and plan builders. */
import path from 'node:path';
import type { NewJobInput } from '../../src/engine/ports.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database/open-database.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Makes a fresh temp directory; returns it and a cleanup function. */
export function makeTemporaryDirectory(): Promise<{ directory: string; cleanup: () => Promise<void> }> {
  return makeTempDir('imagefleet-store-');
}

/** A fresh database in a fresh temp directory. */
export async function openTemporaryDatabase(): Promise<{ database: SqliteDatabase; directory: string; cleanup: () => Promise<void> }> {
  const temporary = await makeTemporaryDirectory();
  const database = await openDatabase({ filePath: path.join(temporary.directory, 'imagefleet.db') });
  return {
    database,
    directory: temporary.directory,
    cleanup: async () => {
      await database.close();
      await temporary.cleanup();
    },
  };
}

/** Inserts a group row directly and returns its id. */
export async function insertGroup(database: SqliteDatabase, id = 'group-1', name = 'Test group'): Promise<string> {
  await database.db.insertInto('groups').values({ id, name, created_at_ms: 1, updated_at_ms: 1 }).execute();
  return id;
}

/** A job input with `taskCount` tasks, ordinals 0..n-1, in group `groupId`. */
export function buildJobInput(options: { jobId?: string; groupId: string; taskCount: number; createdAtMs?: number }): NewJobInput {
  const jobId = options.jobId ?? 'job-1';
  const createdAtMs = options.createdAtMs ?? 1_700_000_000_000;
  return {
    job: {
      id: jobId,
      mode: 'studio',
      groupId: options.groupId,
      name: 'Test job',
      provider: 'local',
      model: 'variations-v1',
      settings: { size: '1K', aspectRatio: '1:1', negativePrompt: 'blur' },
      lane: 'online',
      priority: 'interactive',
      execution: 'parallel',
      budgetUsd: undefined,
      estimatedCostUsd: options.taskCount * 0.01,
      createdAtMs,
    },
    tasks: Array.from({ length: options.taskCount }, (_unused, ordinal) => ({
      id: `${jobId}-task-${ordinal}`,
      key: `key-${jobId}-${ordinal}`,
      ordinal,
      prompt: `a red chair, variation ${ordinal}`,
      promptId: 'prompt-1',
      referenceAssetIds: ['asset-a', 'asset-b'],
      maskAssetId: undefined,
      imageCount: 1,
      seed: ordinal % 2 === 0 ? ordinal : undefined,
      setIndex: Math.floor(ordinal / 4),
      variables: { product: `p${ordinal}` },
      estimatedCostUsd: 0.01,
      createdAtMs,
    })),
  };
}
