/** Uploaded reference images on SQLite (the `AssetRepository` port), deduplicated by SHA-256. */
import { sql, type Kysely } from 'kysely';
import type { Asset } from '../../core/asset.js';
import type { AssetListQuery, AssetRepository } from '../../engine/ports.js';
import { rowToAsset } from './row-mappers.js';
import type { Database } from './schema.js';
import { withTranslatedErrors } from './translate-sqlite-error.js';

/** Values per `IN (…)` list, well under SQLite's parameter limit. */
const inListChunkSize = 900;

export class SqliteAssetRepository implements AssetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts the asset, or returns the one already stored with the same SHA-256 (its id, name and
   * time win: the first upload defines the asset). Safe under concurrent uploads of the same bytes.
   */
  async upsertAsset(asset: Asset & { blobKey: string }): Promise<Asset & { blobKey: string }> {
    return withTranslatedErrors(`store asset ${asset.sha256}`, async () => {
      await this.db
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
        // An asset stored before source hashes were kept learns the first one it is uploaded with.
        .onConflict((conflict) =>
          conflict.column('sha256').doUpdateSet((update) => ({ source_sha256: sql<string | null>`coalesce(${update.ref('assets.source_sha256')}, ${update.ref('excluded.source_sha256')})` })),
        )
        .execute();
      const row = await this.db.selectFrom('assets').selectAll().where('sha256', '=', asset.sha256).executeTakeFirstOrThrow();
      return rowToAsset(row);
    });
  }

  async getAsset(assetId: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedErrors(`read asset ${assetId}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('id', '=', assetId).executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The asset with these bytes (assets are unique by SHA-256). */
  async getAssetBySha256(sha256: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedErrors(`read asset ${sha256.slice(0, 12)}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The asset first uploaded as exactly these bytes (the hash of the file before re-encoding). */
  async getAssetBySourceSha256(sourceSha256: string): Promise<(Asset & { blobKey: string }) | undefined> {
    return withTranslatedErrors(`read asset ${sourceSha256.slice(0, 12)}`, async () => {
      const row = await this.db.selectFrom('assets').selectAll().where('source_sha256', '=', sourceSha256).orderBy('created_at_ms').executeTakeFirst();
      return row ? rowToAsset(row) : undefined;
    });
  }

  /** The assets that exist among `assetIds`, in the order asked (reference order matters to providers), each once. */
  async getAssets(assetIds: string[]): Promise<Array<Asset & { blobKey: string }>> {
    return withTranslatedErrors('read assets', async () => {
      const uniqueIds = [...new Set(assetIds)];
      const byId = new Map<string, Asset & { blobKey: string }>();
      for (let start = 0; start < uniqueIds.length; start += inListChunkSize) {
        const rows = await this.db
          .selectFrom('assets')
          .selectAll()
          .where('id', 'in', uniqueIds.slice(start, start + inListChunkSize))
          .execute();
        for (const row of rows) byId.set(row.id, rowToAsset(row));
      }
      return uniqueIds.flatMap((id) => {
        const asset = byId.get(id);
        return asset ? [asset] : [];
      });
    });
  }

  /** One page of assets, newest first (upload time, then id), after the keyset cursor `before`. */
  async listAssets(query: AssetListQuery): Promise<Array<Asset & { blobKey: string }>> {
    return withTranslatedErrors('list assets', async () => {
      let select = this.db.selectFrom('assets').selectAll();
      const { before } = query;
      if (query.nameContains !== undefined && query.nameContains !== '') select = select.where(sql<number>`instr(lower(original_name), lower(${query.nameContains}))`, '>', 0);
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
