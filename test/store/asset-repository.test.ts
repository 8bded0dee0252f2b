import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/core/asset.js';
import { SqliteAssetRepository } from '../../src/store/database/asset-repository.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let assets: SqliteAssetRepository;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  assets = new SqliteAssetRepository(database.db);
});
afterEach(async () => {
  await cleanup();
});

function buildAsset(id: string, sha256: string, originalName = `${id}.png`): Asset & { blobKey: string } {
  return { id, sha256, mediaType: 'image/png', width: 64, height: 48, byteSize: 1234, originalName, createdAtMs: 10, blobKey: `assets/${sha256.slice(0, 2)}/${sha256}.png` };
}

describe('SqliteAssetRepository', () => {
  it('dedupes by SHA-256: a second upload of the same bytes returns the first asset', async () => {
    const sha = 'a'.repeat(64);
    const first = await assets.upsertAsset(buildAsset('asset-1', sha, 'chair.png'));
    const second = await assets.upsertAsset(buildAsset('asset-2', sha, 'chair-copy.png'));
    expect(first.id).toBe('asset-1');
    expect(second).toEqual(first);
    expect(second.originalName).toBe('chair.png');
    const rows = await database.db.selectFrom('assets').select('id').execute();
    expect(rows).toEqual([{ id: 'asset-1' }]);
    expect(await assets.getAsset('asset-2')).toBeUndefined();
  });

  it('reads one asset with its blob key, and several in the order asked', async () => {
    await assets.upsertAsset(buildAsset('asset-1', '1'.repeat(64)));
    await assets.upsertAsset(buildAsset('asset-2', '2'.repeat(64)));
    await assets.upsertAsset(buildAsset('asset-3', '3'.repeat(64)));
    expect(await assets.getAsset('asset-2')).toEqual(buildAsset('asset-2', '2'.repeat(64)));
    const found = await assets.getAssets(['asset-3', 'missing', 'asset-1', 'asset-3']);
    expect(found.map((asset) => asset.id)).toEqual(['asset-3', 'asset-1']);
    expect(found[0]?.blobKey).toBe(`assets/33/${'3'.repeat(64)}.png`);
    expect(await assets.getAssets([])).toEqual([]);
  });
});
