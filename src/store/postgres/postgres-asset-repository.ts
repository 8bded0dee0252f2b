/** Uploaded reference images on Postgres (the `AssetRepository` port), deduplicated by SHA-256. */
import { sql, type Kysely } from 'kysely';
import type { Asset } from '../../core/asset.js';
import type { AssetListQuery, AssetRepository } from '../../engine/ports.js';
import { rowToAsset } from '../database/row-mappers.js';
import type { PostgresDatabase } from './schema.js';
import { withTranslatedPostgresErrors } from './translate-postgres-error.js';

export class PostgresAssetRepository implements AssetRepository {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  /**
   * Inserts the asset, or returns the one already stored with the same SHA-256 (its id, name and
   * time win: the first upload defines the asset). `ON CONFLICT` makes concurrent uploads of the
   * same bytes safe across processes.
   */
  async upsertAsset(asset: Asset & { blobKey: string }): Promise<Asset & { blobKey: string }> {
    return withTranslatedPostgresErrors(`store asset ${asset.sha256}`, async () => {
      const row = await this.db
        .insertInto('assets')
        .values({
          id: asset.id,
          sha256: asset.sha256,
          media_type: asset.mediaType,
          width: asset.width,
          height: asset.height,
          byte_size: asset.byteSize,
          original_name: asset.originalName,
          blob_key: asset.blobKey,
          created_at_ms: asset.createdAtMs,
          source_sha256: asset.sourceSha256 ?? null,
        })
        // An asset stored without a source hash learns the first one it is uploaded with.
        .onConflict((conflict) => conflict.column('sha256').doUpdateSet({ source_sha256: sql<string | null>`coalesce(assets.source_sha256, excluded.source_sha256)` }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToAsset(row);
    });
  }

  async getAsset(assetId: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedPostgresErrors(`read asset ${assetId}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('id', '=', assetId).executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The asset with these bytes (assets are unique by SHA-256). */
  async getAssetBySha256(sha256: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedPostgresErrors(`read asset ${sha256.slice(0, 12)}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The asset first uploaded as exactly these bytes (the hash of the file before re-encoding). */
  async getAssetBySourceSha256(sourceSha256: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedPostgresErrors(`read asset ${sourceSha256.slice(0, 12)}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('source_sha256', '=', sourceSha256).orderBy('created_at_ms').orderBy('id').executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The assets that exist among `assetIds`, in the order asked (reference order matters to providers), each once. */
  async getAssets(assetIds: string[]): Promise<Array<Asset & { blobKey: string }>> {
    return withTranslatedPostgresErrors('read assets', async () => {
      const uniqueIds = [...new Set(assetIds)];
      if (uniqueIds.length === 0) return [];
      // One array parameter, however many ids (no IN-list chunking as on SQLite).
      const rows = await this.db
        .selectFrom('assets')
        .selectAll()
        .where(sql<boolean>`id = ANY(${uniqueIds}::text[])`)
        .execute();
      const byId = new Map(rows.map((row) => [row.id, rowToAsset(row)]));
      return uniqueIds.flatMap((id) => {
        const asset = byId.get(id);
        return asset ? [asset] : [];
      });
    });
  }

  /** One page of assets, newest first (upload time, then id), after the keyset cursor `before`. */
  async listAssets(query: AssetListQuery): Promise<Array<Asset & { blobKey: string }>> {
    return withTranslatedPostgresErrors('list assets', async () => {
      let select = this.db.selectFrom('assets').selectAll();
      const { before } = query;
      if (query.nameContains !== undefined && query.nameContains !== '') select = select.where(sql<number>`strpos(lower(original_name), lower(${query.nameContains}))`, '>', 0);
      if (before !== undefined) {
        select = select.where((expression) =>
          expression.or([
            expression('created_at_ms', '<', before.createdAtMs),
            expression.and([expression('created_at_ms', '=', before.createdAtMs), expression('id', '<', before.id)]),
          ]),
        );
      }
      const rows = await select.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
      return rows.map(rowToAsset);
    });
  }
}
