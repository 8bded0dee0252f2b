/** Generated images on Postgres (the `ImageRepository` port). Rows are inserted by the queue at task completion. */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import { imageCostShareUsd } from '../../core/image-cost-share.js';
import type { GeneratedImage } from '../../core/image.js';
import type { ExportFilter, ExportImage, GroupImagesQuery, ImageRepository, ResultImage, ResultsQuery } from '../../engine/ports.js';
import { fromMicroUsd } from './money.js';
import { postgresRowToImage as rowToImage } from './postgres-row-mappers.js';
import type { PostgresDatabase } from './schema.js';
import { withTranslatedPostgresErrors as withTranslatedErrors } from './translate-postgres-error.js';

export class PostgresImageRepository implements ImageRepository {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  /**
   * Newest first; within one task, by image index. Discarded images are included (the port has no
   * filter for them yet), so a feed that hides them must filter on `discarded`.
   */
  async listImages(filter: { jobId?: string; taskId?: string; taskIds?: string[]; groupId?: string; favorite?: boolean; limit?: number; offset?: number }): Promise<GeneratedImage[]> {
    return withTranslatedErrors('list images', async () => {
      if (filter.taskIds !== undefined && filter.taskIds.length === 0) return [];
      let query = this.db.selectFrom('images').selectAll();
      if (filter.taskIds !== undefined) query = query.where(sql<boolean>`task_id = ANY(${filter.taskIds}::text[])`);
      if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
      if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
      if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      if (filter.favorite !== undefined) query = query.where('favorite', '=', filter.favorite);
      query = query.orderBy('created_at_ms', 'desc').orderBy('task_id', 'asc').orderBy('idx', 'asc');
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      if (filter.offset !== undefined) query = query.offset(filter.offset);
      const rows = await query.execute();
      return rows.map(rowToImage);
    });
  }

  async getImage(imageId: string): Promise<GeneratedImage | undefined> {
    return withTranslatedErrors(`read image ${imageId}`, async () => {
      const row = await this.db.selectFrom('images').selectAll().where('id', '=', imageId).executeTakeFirst();
      return row ? rowToImage(row) : undefined;
    });
  }

  /** Sets or clears the favourite mark; `not_found` when there is no such image. */
  async setFavorite(imageId: string, favorite: boolean): Promise<GeneratedImage> {
    return withTranslatedErrors(`mark image ${imageId}`, async () => {
      const row = await this.db
        .updateTable('images')
        .set({ favorite })
        .where('id', '=', imageId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new ImagefleetError('not_found', `Image ${imageId} does not exist.`);
      return rowToImage(row);
    });
  }

  /** Sets or clears the discarded mark; `not_found` when there is no such image. */
  async setDiscarded(imageId: string, discarded: boolean): Promise<GeneratedImage> {
    return withTranslatedErrors(`mark image ${imageId}`, async () => {
      const row = await this.db
        .updateTable('images')
        .set({ discarded })
        .where('id', '=', imageId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new ImagefleetError('not_found', `Image ${imageId} does not exist.`);
      return rowToImage(row);
    });
  }

  /**
   * One page of a job's images in completion order. The prompt filter is a case-insensitive
   * substring match (`lower()` folds letters as the database's locale does).
   */
  async listResults(query: ResultsQuery): Promise<ResultImage[]> {
    return withTranslatedErrors(`list the results of job ${query.jobId}`, async () => {
      let select = this.describedImages().where('images.job_id', '=', query.jobId);
      if (query.promptId !== undefined) select = select.where('images.prompt_id', '=', query.promptId);
      select = filteredPage(select, query, 'asc');
      const rows = await select.orderBy('images.created_at_ms', 'asc').orderBy('images.id', 'asc').limit(query.limit).execute();
      return rows.map(toResultImage);
    });
  }

  /**
   * One page of a group's images, newest first. Walks the (group_id, created_at_ms, id) index
   * backwards from the cursor, so a page costs the same at image 10 or 10,000.
   */
  async listGroupImages(query: GroupImagesQuery): Promise<ResultImage[]> {
    return withTranslatedErrors(`list the images of group ${query.groupId}`, async () => {
      let select = this.describedImages().where('images.group_id', '=', query.groupId);
      if (query.jobId !== undefined) select = select.where('images.job_id', '=', query.jobId);
      select = filteredPage(select, query, 'desc');
      const rows = await select.orderBy('images.created_at_ms', 'desc').orderBy('images.id', 'desc').limit(query.limit).execute();
      return rows.map(toResultImage);
    });
  }

  /** How many images match a list's filters (no cursor): "Results 1,050", not "200+". */
  async countImages(query: { groupId?: string | undefined; jobId?: string | undefined; promptId?: string | undefined; promptContains?: string | undefined; sourceContains?: string | undefined; favorite?: boolean | undefined; discarded?: boolean | undefined }): Promise<number> {
    return withTranslatedErrors('count images', async () => {
      let select = this.db.selectFrom('images').innerJoin('tasks', 'tasks.id', 'images.task_id').select((expression) => expression.fn.countAll<number>().as('count'));
      if (query.groupId !== undefined) select = select.where('images.group_id', '=', query.groupId);
      if (query.jobId !== undefined) select = select.where('images.job_id', '=', query.jobId);
      if (query.promptId !== undefined) select = select.where('images.prompt_id', '=', query.promptId);
      select = filteredPage(select, { ...query, after: undefined }, 'desc');
      const row = await select.executeTakeFirstOrThrow();
      return Number(row.count);
    });
  }

  /** Images with what people ask about them: the task's references and cost, the job's provider and model. */
  private describedImages() {
    return this.db
      .selectFrom('images')
      .innerJoin('tasks', 'tasks.id', 'images.task_id')
      .innerJoin('jobs', 'jobs.id', 'images.job_id')
      .selectAll('images')
      .select(['tasks.reference_asset_ids', 'tasks.cost_micro_usd as task_cost_micro_usd', 'tasks.image_count as task_image_count', 'jobs.provider as job_provider', 'jobs.model as job_model'])
      // The references' uploaded names, in reference order: which product photo a result came from.
      .select(
        sql<string[]>`(SELECT coalesce(jsonb_agg(assets.original_name ORDER BY reference.position), '[]'::jsonb) FROM jsonb_array_elements_text(tasks.reference_asset_ids) WITH ORDINALITY AS reference(asset_id, position) JOIN assets ON assets.id = reference.asset_id)`.as(
          'reference_names',
        ),
      );
  }

  /**
   * The images of a group for an export, in job order (oldest job first), then plan order, then
   * image index. Discarded images are left out unless asked for by id.
   */
  async listForExport(filter: ExportFilter): Promise<ExportImage[]> {
    return withTranslatedErrors(`list the images of group ${filter.groupId}`, async () => {
      const base = () => {
        let select = this.db
          .selectFrom('images')
          .innerJoin('jobs', 'jobs.id', 'images.job_id')
          .innerJoin('tasks', 'tasks.id', 'images.task_id')
          .selectAll('images')
          .select(['jobs.provider as job_provider', 'jobs.model as job_model', 'jobs.name as job_name', 'jobs.mode as job_mode', 'jobs.created_at_ms as job_created_at_ms', 'tasks.ordinal as task_ordinal', 'tasks.reference_asset_ids'])
          .where('images.group_id', '=', filter.groupId);
        if (filter.jobId !== undefined) select = select.where('images.job_id', '=', filter.jobId);
        if (filter.favoritesOnly) select = select.where('images.favorite', '=', true);
        if (filter.imageIds === undefined) select = select.where('images.discarded', '=', false);
        return select;
      };
      type Row = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];
      let rows: Row[];
      if (filter.imageIds === undefined) {
        rows = await base().execute();
      } else {
        const ids = [...new Set(filter.imageIds)];
        rows = ids.length === 0 ? [] : await base().where(sql<boolean>`images.id = ANY(${ids}::text[])`).execute();
      }
      rows.sort(
        (left, right) =>
          left.job_created_at_ms - right.job_created_at_ms ||
          compareText(left.job_id, right.job_id) ||
          left.task_ordinal - right.task_ordinal ||
          left.idx - right.idx,
      );
      return rows.map((row) => {
        const { job_provider, job_model, job_name, job_mode, reference_asset_ids, job_created_at_ms: _jobCreated, task_ordinal: _ordinal, ...imageRow } = row;
        return { ...rowToImage(imageRow), provider: job_provider, model: job_model, jobName: job_name, jobMode: job_mode, referenceAssetIds: reference_asset_ids };
      });
    });
  }
}

type DescribedImageRow = Parameters<typeof rowToImage>[0] & {
  reference_asset_ids: string[];
  reference_names: string[];
  task_cost_micro_usd: number | null;
  task_image_count: number;
  job_provider: string;
  job_model: string;
};

function toResultImage(row: DescribedImageRow): ResultImage {
  const { reference_asset_ids, reference_names, task_cost_micro_usd, task_image_count, job_provider, job_model, ...imageRow } = row;
  const image: ResultImage = {
    ...rowToImage(imageRow),
    referenceAssetIds: reference_asset_ids,
    referenceNames: reference_names,
    provider: job_provider,
    model: job_model,
  };
  const costUsd = imageCostShareUsd(task_cost_micro_usd === null ? undefined : fromMicroUsd(task_cost_micro_usd), task_image_count);
  if (costUsd !== undefined) image.costUsd = costUsd;
  return image;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The filters image lists share (prompt substring, favourite, discarded) and the keyset position
 * after the previous page's last image, in the list's direction (`asc`: later ones; `desc`: earlier).
 */
function filteredPage<Select extends SelectQueryBuilder<PostgresDatabase, 'images', object>>(
  select: Select,
  query: { promptContains?: string | undefined; sourceContains?: string | undefined; favorite?: boolean | undefined; discarded?: boolean | undefined; after?: { createdAtMs: number; id: string } | undefined },
  direction: 'asc' | 'desc',
): Select {
  let filtered = select;
  if (query.promptContains !== undefined && query.promptContains !== '') {
    filtered = filtered.where(sql<number>`strpos(lower(images.prompt), lower(${query.promptContains}))`, '>', 0) as Select;
  }
  if (query.sourceContains !== undefined && query.sourceContains !== '') {
    filtered = filtered.where(
      sql<boolean>`EXISTS (SELECT 1 FROM jsonb_array_elements_text(tasks.reference_asset_ids) AS reference(asset_id) JOIN assets ON assets.id = reference.asset_id WHERE strpos(lower(assets.original_name), lower(${query.sourceContains})) > 0)`,
    ) as Select;
  }
  if (query.favorite !== undefined) filtered = filtered.where('images.favorite', '=', query.favorite) as Select;
  if (query.discarded !== undefined) filtered = filtered.where('images.discarded', '=', query.discarded) as Select;
  const after = query.after;
  if (after !== undefined) {
    const beyond = direction === 'asc' ? '>' : '<';
    filtered = filtered.where((expression) =>
      expression.or([
        expression('images.created_at_ms', beyond, after.createdAtMs),
        expression.and([expression('images.created_at_ms', '=', after.createdAtMs), expression('images.id', beyond, after.id)]),
      ]),
    ) as Select;
  }
  return filtered;
}
