import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { SqliteJobRepository } from '../../src/store/database/job-repository.js';
import * as taskRunOnline from '../../src/store/database/migrations/0010-task-run-online.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { buildJobInput, insertGroup, openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
});
afterEach(async () => {
  await cleanup();
});

describe('migration 0010: the run-online choice as a task column', () => {
  it('moves the legacy fake handle to the column and back, leaving real handles alone', async () => {
    const repository = new SqliteJobRepository(database.db);
    const job = await repository.createJob(buildJobInput({ groupId: await insertGroup(database), taskCount: 3 }));
    const [online, remote, plain] = await repository.listTasks(job.id, {});
    await database.db.updateTable('tasks').set({ run_online: 1 }).where('id', '=', online!.id).execute();
    await database.db.updateTable('tasks').set({ remote_handle: 'batches/123?key=a' }).where('id', '=', remote!.id).execute();
    const untyped = database.db as unknown as Kysely<unknown>;

    await taskRunOnline.down(untyped);
    const legacy = await untyped.selectFrom('tasks' as never).selectAll().orderBy('ordinal' as never).execute();
    expect(legacy.map((row) => (row as { remote_handle: string | null }).remote_handle)).toEqual(['imagefleet:run-online', 'batches/123?key=a', null]);

    await taskRunOnline.up(untyped);
    const tasks = await repository.listTasks(job.id, {});
    expect(tasks.map((task) => [task.id, task.runOnline, task.remoteHandle])).toEqual([
      [online!.id, true, undefined],
      [remote!.id, undefined, 'batches/123?key=a'],
      [plain!.id, undefined, undefined],
    ]);
  });
});
