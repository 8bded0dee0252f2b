/** Generated images on SQLite (the `ImageRepository` port). Rows are inserted by the queue at task completion. */
import type { Kysely } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import type { GeneratedImage } from '../../core/image.js';
import type { ImageRepository } from '../../engine/ports.js';
import { rowToImage } from './row-mappers.js';
import type { Database } from './schema.js';
import { withTranslatedErrors } from './translate-sqlite-error.js';

export class SqliteImageRepository implements ImageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Newest first; within one task, by image index. Discarded images are included (the port has no
   * filter for them yet), so a feed that hides them must filter on `discarded`.
   */
  async listImages(filter: { jobId?: string; groupId?: string; favorite?: boolean; limit?: number; offset?: number }): Promise<GeneratedImage[]> {
    return withTranslatedErrors('list images', async () => {
      let query = this.db.selectFrom('images').selectAll();
      if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
      if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      if (filter.favorite !== undefined) query = query.where('favorite', '=', filter.favorite ? 1 : 0);
      query = query.orderBy('created_at_ms', 'desc').orderBy('task_id', 'asc').orderBy('idx', 'asc');
      // SQLite accepts OFFSET only after a LIMIT; -1 means "no limit".
      if (filter.limit !== undefined || filter.offset !== undefined) query = query.limit(filter.limit ?? -1);
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
        .set({ favorite: favorite ? 1 : 0 })
        .where('id', '=', imageId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new ImagefleetError('not_found', `Image ${imageId} does not exist.`);
      return rowToImage(row);
    });
  }
}
