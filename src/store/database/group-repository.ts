/** Groups (result folders) on SQLite. Names are unique regardless of letter case. */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ImagefleetError, invalidInput } from '../../core/errors.js';
import { defaultGroupName, type Group } from '../../core/group.js';
import type { GroupRepository } from '../../engine/ports.js';
import { runImmediateTransaction } from './immediate-transaction.js';
import { rowToGroup } from './row-mappers.js';
import type { Database } from './schema.js';
import { errorCodeOf, translateSqliteError, withTranslatedErrors } from './translate-sqlite-error.js';

/** Longest group name accepted, in characters; names show in narrow sidebars and in export paths. */
export const maxGroupNameLength = 100;

/** Groups on SQLite: the `GroupRepository` port plus create, list, rename and delete for the shells. */
export class SqliteGroupRepository implements GroupRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  /** Creates a group; `invalid_input` for a blank or overlong name, `conflict` when the name is taken in any letter case. */
  async createGroup(name: string): Promise<Group> {
    const cleanName = normalizeGroupName(name);
    return this.inWriteTransaction(`create group "${cleanName}"`, async (executor) => {
      await ensureNameFree(executor, cleanName, undefined);
      const nowMs = this.now();
      const row = await executor
        .insertInto('groups')
        .values({ id: randomUUID(), name: cleanName, created_at_ms: nowMs, updated_at_ms: nowMs })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToGroup(row);
    });
  }

  async getGroup(groupId: string): Promise<Group | undefined> {
    return withTranslatedErrors(`read group ${groupId}`, async () => {
      const row = await this.db.selectFrom('groups').selectAll().where('id', '=', groupId).executeTakeFirst();
      return row ? rowToGroup(row) : undefined;
    });
  }

  /** All groups, by name (case-insensitive). */
  async listGroups(): Promise<Group[]> {
    return withTranslatedErrors('list groups', async () => {
      const rows = await this.db
        .selectFrom('groups')
        .selectAll()
        .orderBy(sql`name COLLATE NOCASE`)
        .orderBy('id')
        .execute();
      return rows.map(rowToGroup);
    });
  }

  /** Renames a group; `not_found` / `conflict` (another group has the name) / `invalid_input`. Renaming to a case variant of its own name is allowed. */
  async renameGroup(groupId: string, name: string): Promise<Group> {
    const cleanName = normalizeGroupName(name);
    return this.inWriteTransaction(`rename group ${groupId}`, async (executor) => {
      await ensureNameFree(executor, cleanName, groupId);
      const row = await executor
        .updateTable('groups')
        .set({ name: cleanName, updated_at_ms: this.now() })
        .where('id', '=', groupId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new ImagefleetError('not_found', `Group ${groupId} does not exist.`);
      return rowToGroup(row);
    });
  }

  /** The `Default` group, created on first use. Concurrent callers get the same group. */
  async getOrCreateDefault(): Promise<Group> {
    return this.inWriteTransaction('find the default group', async (executor) => {
      const existing = await executor
        .selectFrom('groups')
        .selectAll()
        .where(sql<boolean>`name = ${defaultGroupName} COLLATE NOCASE`)
        .executeTakeFirst();
      if (existing) return rowToGroup(existing);
      const nowMs = this.now();
      const row = await executor
        .insertInto('groups')
        .values({ id: randomUUID(), name: defaultGroupName, created_at_ms: nowMs, updated_at_ms: nowMs })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToGroup(row);
    });
  }

  /** Deletes an empty group; `conflict` when jobs or images still belong to it, `not_found` when it does not exist. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.inWriteTransaction(`delete group ${groupId}`, async (executor) => {
      const group = await executor.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).executeTakeFirst();
      if (!group) throw new ImagefleetError('not_found', `Group ${groupId} does not exist.`);
      const jobs = await executor
        .selectFrom('jobs')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .where('group_id', '=', groupId)
        .executeTakeFirstOrThrow();
      const images = await executor
        .selectFrom('images')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .where('group_id', '=', groupId)
        .executeTakeFirstOrThrow();
      const jobCount = Number(jobs.count);
      const imageCount = Number(images.count);
      if (jobCount > 0 || imageCount > 0) {
        throw new ImagefleetError(
          'conflict',
          `Group "${group.name}" is not empty (${jobCount} jobs, ${imageCount} images); move or delete its contents first.`,
        );
      }
      await executor.deleteFrom('groups').where('id', '=', groupId).execute();
    });
  }

  private async inWriteTransaction<T>(context: string, work: (executor: Kysely<Database>) => Promise<T>): Promise<T> {
    try {
      return await runImmediateTransaction(this.db, work);
    } catch (error) {
      // The NOCASE index is the last line of defence if a check above is ever bypassed.
      if (errorCodeOf(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ImagefleetError('conflict', `A group with that name already exists (${context}).`, { cause: error });
      }
      throw translateSqliteError(error, context);
    }
  }
}

/** Trims and NFC-normalises a group name; throws `invalid_input` when it is blank, too long or has control characters. */
export function normalizeGroupName(name: string): string {
  const cleanName = name.normalize('NFC').trim();
  if (cleanName.length === 0) throw invalidInput([{ path: 'name', message: 'A group name cannot be blank.' }]);
  if (cleanName.length > maxGroupNameLength) {
    throw invalidInput([{ path: 'name', message: `A group name can have at most ${maxGroupNameLength} characters.` }]);
  }
  if (/\p{Cc}/u.test(cleanName)) throw invalidInput([{ path: 'name', message: 'A group name cannot contain control characters.' }]);
  return cleanName;
}

// SQLite's NOCASE folds ASCII only; comparing lower-cased names here makes "Été" and "été" collide too.
// Groups are few (folders), so reading every name inside the write transaction is cheap.
async function ensureNameFree(executor: Kysely<Database>, name: string, exceptGroupId: string | undefined): Promise<void> {
  const folded = name.toLowerCase();
  const rows = await executor.selectFrom('groups').select(['id', 'name']).execute();
  const clash = rows.find((row) => row.id !== exceptGroupId && row.name.normalize('NFC').toLowerCase() === folded);
  if (clash) throw new ImagefleetError('conflict', `A group named "${clash.name}" already exists; choose another name.`);
}
