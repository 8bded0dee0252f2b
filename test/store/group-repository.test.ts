import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { SqliteGroupRepository } from '../../src/store/database/group-repository.js';
import { SqliteJobRepository } from '../../src/store/database/job-repository.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { buildJobInput, openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let groups: SqliteGroupRepository;
let nowMs: number;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  nowMs = 1_000;
  groups = new SqliteGroupRepository(database.db, () => nowMs);
});
afterEach(async () => {
  await cleanup();
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error === undefined) return undefined;
  if (!isImagefleetError(error)) throw error instanceof Error ? error : new Error('expected an ImagefleetError');
  return error.code;
}

describe('SqliteGroupRepository', () => {
  it('creates, reads and lists groups by name', async () => {
    const beta = await groups.createGroup('  beta  ');
    nowMs = 2_000;
    const alpha = await groups.createGroup('Alpha');
    expect(beta).toMatchObject({ name: 'beta', createdAtMs: 1_000, updatedAtMs: 1_000 });
    expect(await groups.getGroup(alpha.id)).toEqual(alpha);
    expect(await groups.getGroup('missing')).toBeUndefined();
    expect((await groups.listGroups()).map((group) => group.name)).toEqual(['Alpha', 'beta']);
  });

  it('keeps names unique regardless of letter case, ASCII or not', async () => {
    await groups.createGroup('Summer Shoot');
    expect(await codeOf(groups.createGroup('summer shoot'))).toBe('conflict');
    expect(await codeOf(groups.createGroup('SUMMER SHOOT '))).toBe('conflict');
    await groups.createGroup('Été');
    expect(await codeOf(groups.createGroup('été'))).toBe('conflict');
    // NFD spelling of the same name is the same name.
    expect(await codeOf(groups.createGroup('e\u0301te\u0301'))).toBe('conflict');
    expect(await groups.listGroups()).toHaveLength(2);
  });

  it('refuses blank, overlong and control-character names', async () => {
    expect(await codeOf(groups.createGroup('   '))).toBe('invalid_input');
    expect(await codeOf(groups.createGroup('x'.repeat(101)))).toBe('invalid_input');
    expect(await codeOf(groups.createGroup('line\nbreak'))).toBe('invalid_input');
  });

  it('renames, refusing a name another group has but allowing a case change of its own', async () => {
    const first = await groups.createGroup('First');
    await groups.createGroup('Second');
    nowMs = 5_000;
    expect(await codeOf(groups.renameGroup(first.id, 'second'))).toBe('conflict');
    const recased = await groups.renameGroup(first.id, 'FIRST');
    expect(recased).toMatchObject({ id: first.id, name: 'FIRST', createdAtMs: 1_000, updatedAtMs: 5_000 });
    expect(await codeOf(groups.renameGroup('missing', 'Third'))).toBe('not_found');
  });

  it('returns the same Default group every time', async () => {
    const first = await groups.getOrCreateDefault();
    const [second, third] = await Promise.all([groups.getOrCreateDefault(), groups.getOrCreateDefault()]);
    expect(first.name).toBe('Default');
    expect(second?.id).toBe(first.id);
    expect(third?.id).toBe(first.id);
    expect(await groups.listGroups()).toHaveLength(1);
    expect(await codeOf(groups.createGroup('default'))).toBe('conflict');
  });

  it('refuses to delete a group that still has jobs, and deletes an empty one', async () => {
    const busy = await groups.createGroup('Busy');
    const empty = await groups.createGroup('Empty');
    await new SqliteJobRepository(database.db).createJob(buildJobInput({ groupId: busy.id, taskCount: 2 }));

    expect(await codeOf(groups.deleteGroup(busy.id))).toBe('conflict');
    expect(await groups.getGroup(busy.id)).toBeDefined();

    await groups.deleteGroup(empty.id);
    expect(await groups.getGroup(empty.id)).toBeUndefined();
    expect(await codeOf(groups.deleteGroup(empty.id))).toBe('not_found');
  });
});
