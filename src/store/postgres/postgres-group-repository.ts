/**
 * Groups on Postgres: the `GroupRepository` port. The rules (names, the Default group, deletion
 * with disposal) are core/group-rules.ts; this reads the snapshot they need and writes their
 * answer. Name checks read every group, so group writes take one advisory lock (rare, cheap) in
 * place of SQLite's BEGIN IMMEDIATE; the `lower(name)` unique index is only a backstop.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import { defaultGroupName, type Group } from '../../core/group.js';
import { decideGroupDeletion, ensureGroupNameFree, findDefaultGroup, findGroupNamed, groupNotFound, normalizeGroupName } from '../../core/group-rules.js';
import type { JobStatus } from '../../core/job.js';
import type { GroupDeletion, GroupDisposal, GroupRepository, GroupSummary } from '../../engine/ports.js';
import { rowToGroup } from '../database/row-mappers.js';
import { advisoryLockKeys, takeTransactionLock } from './advisory-locks.js';
import { runPostgresTransaction } from './postgres-transaction.js';
import type { GroupsTable, PostgresDatabase } from './schema.js';
import { errorCodeOf, translatePostgresError, withTranslatedPostgresErrors } from './translate-postgres-error.js';

/** Case-insensitive name order, byte-wise after folding, as SQLite's `COLLATE NOCASE` sorts ASCII names. */
const byNameIgnoringCase = sql`lower(groups.name) COLLATE "C"`;

export class PostgresGroupRepository implements GroupRepository {
  constructor(
    private readonly db: Kysely<PostgresDatabase>,
    private readonly now: () => number,
  ) {}

  /** Creates a group; `invalid_input` for a blank or overlong name, `conflict` when the name is taken in any letter case. */
  async createGroup(name: string): Promise<Group> {
    const cleanName = normalizeGroupName(name);
    return this.inGroupsTransaction(`create group "${cleanName}"`, async (executor) => {
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
    return withTranslatedPostgresErrors(`read group ${groupId}`, async () => {
      const row = await this.db.selectFrom('groups').selectAll().where('id', '=', groupId).executeTakeFirst();
      return row ? rowToGroup(row) : undefined;
    });
  }

  /** All groups, by name (case-insensitive). */
  async listGroups(): Promise<Group[]> {
    return withTranslatedPostgresErrors('list groups', async () => {
      const rows = await this.db.selectFrom('groups').selectAll().orderBy(byNameIgnoringCase).orderBy('id').execute();
      return rows.map(rowToGroup);
    });
  }

  /** Renames a group; `not_found` / `conflict` (another group has the name) / `invalid_input`. A case change of its own name is allowed. */
  async renameGroup(groupId: string, name: string): Promise<Group> {
    const cleanName = normalizeGroupName(name);
    return this.inGroupsTransaction(`rename group ${groupId}`, async (executor) => {
      await ensureNameFree(executor, cleanName, groupId);
      const row = await executor.updateTable('groups').set({ name: cleanName, updated_at_ms: this.now() }).where('id', '=', groupId).returningAll().executeTakeFirst();
      if (!row) throw groupNotFound(groupId);
      return rowToGroup(row);
    });
  }

  /** The `Default` group, created on first use. Concurrent callers (any process) get the same group. */
  async getOrCreateDefault(): Promise<Group> {
    return this.inGroupsTransaction('find the default group', async (executor) => {
      const existing = findDefaultGroup(await executor.selectFrom('groups').selectAll().execute());
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

  /** The group with this name (trimmed, NFC), ignoring letter case; undefined when there is none. */
  async findGroupByName(name: string): Promise<Group | undefined> {
    return withTranslatedPostgresErrors('find a group by name', async () => {
      const row = findGroupNamed(await this.db.selectFrom('groups').selectAll().execute(), name);
      return row ? rowToGroup(row) : undefined;
    });
  }

  /** Every group with its job and image counts, by name (case-insensitive). */
  async listGroupSummaries(): Promise<GroupSummary[]> {
    return withTranslatedPostgresErrors('list groups', async () => {
      const rows = await this.summaryQuery().orderBy(byNameIgnoringCase).orderBy('groups.id').execute();
      return rows.map(rowToSummary);
    });
  }

  async getGroupSummary(groupId: string): Promise<GroupSummary | undefined> {
    return withTranslatedPostgresErrors(`read group ${groupId}`, async () => {
      const row = await this.summaryQuery().where('groups.id', '=', groupId).executeTakeFirst();
      return row ? rowToSummary(row) : undefined;
    });
  }

  /**
   * Deletes a group (see the port): the group row is locked `FOR UPDATE` and its jobs read under the
   * groups lock, so a job cannot start or move in between; one transaction.
   */
  async deleteGroup(groupId: string, disposal?: GroupDisposal): Promise<GroupDeletion> {
    return this.inGroupsTransaction(`delete group ${groupId}`, async (executor) => {
      const group = await executor.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).forUpdate().executeTakeFirst();
      if (!group) throw groupNotFound(groupId);
      // Locked so a claim cannot start one of them (the claim locks its job row too) while the rule decides.
      const jobs = await executor.selectFrom('jobs').select(['id', 'status']).where('group_id', '=', groupId).orderBy('id').forUpdate().execute();
      const images = await executor
        .selectFrom('images')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .where('group_id', '=', groupId)
        .executeTakeFirstOrThrow();
      const target = disposal?.kind === 'move' ? await executor.selectFrom('groups').select('id').where('id', '=', disposal.targetGroupId).executeTakeFirst() : undefined;
      const plan = decideGroupDeletion(
        { group, jobs: jobs.map((job) => ({ id: job.id, status: job.status as JobStatus })), imageCount: Number(images.count), targetExists: target !== undefined },
        disposal,
      );
      const result: GroupDeletion = { movedJobs: 0, movedImages: 0, deletedJobIds: [], deletedImages: 0 };
      if (plan.kind === 'move') {
        const nowMs = this.now();
        await executor.updateTable('jobs').set({ group_id: plan.targetGroupId, updated_at_ms: nowMs }).where('group_id', '=', groupId).execute();
        await executor.updateTable('images').set({ group_id: plan.targetGroupId }).where('group_id', '=', groupId).execute();
        await executor.updateTable('groups').set({ updated_at_ms: nowMs }).where('id', '=', plan.targetGroupId).execute();
        result.movedJobs = plan.movedJobs;
        result.movedImages = plan.movedImages;
      } else if (plan.kind === 'delete') {
        // Tasks and their images go with their jobs (ON DELETE CASCADE).
        await executor.deleteFrom('images').where('group_id', '=', groupId).execute();
        await executor.deleteFrom('jobs').where('group_id', '=', groupId).execute();
        result.deletedJobIds = plan.deletedJobIds;
        result.deletedImages = plan.deletedImages;
      }
      await executor.deleteFrom('groups').where('id', '=', groupId).execute();
      return result;
    });
  }

  private summaryQuery() {
    return this.db
      .selectFrom('groups')
      .selectAll('groups')
      .select((expression) => [
        expression.selectFrom('jobs').select((inner) => inner.fn.countAll<number>().as('count')).whereRef('jobs.group_id', '=', 'groups.id').as('job_count'),
        expression.selectFrom('images').select((inner) => inner.fn.countAll<number>().as('count')).whereRef('images.group_id', '=', 'groups.id').as('image_count'),
      ]);
  }

  private async inGroupsTransaction<T>(context: string, work: (executor: Kysely<PostgresDatabase>) => Promise<T>): Promise<T> {
    try {
      return await runPostgresTransaction(this.db, async (executor) => {
        await takeTransactionLock(executor, advisoryLockKeys.groups);
        return work(executor);
      });
    } catch (error) {
      // The lower(name) index is the last line of defence if the check above is ever bypassed.
      if (errorCodeOf(error) === '23505') throw new ImagefleetError('conflict', `A group with that name already exists (${context}).`, { cause: error });
      throw translatePostgresError(error, context);
    }
  }
}

// Group names are compared by full Unicode case folding (core/group-rules.ts); groups are few
// (folders), so reading every name under the groups lock is cheap.
async function ensureNameFree(executor: Kysely<PostgresDatabase>, name: string, exceptGroupId: string | undefined): Promise<void> {
  ensureGroupNameFree(await executor.selectFrom('groups').select(['id', 'name']).execute(), name, exceptGroupId);
}

function rowToSummary(row: Selectable<GroupsTable> & { job_count: number | null; image_count: number | null }): GroupSummary {
  return { ...rowToGroup(row), jobCount: Number(row.job_count ?? 0), imageCount: Number(row.image_count ?? 0) };
}
