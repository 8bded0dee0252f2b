import { blobFilePath } from '../support/blob-file-path.js';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleGetUpload, handleGetUploadThumbnail, handleListUploads, handleUpload } from '../../src/server/upload-handlers.js';
import { uploadListSchema } from '../../src/server/schemas/uploads.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, uploadRequest, type ApiHarness } from './api-harness.js';

interface UploadList {
  items: Array<{ id: string; name: string; url: string; thumbUrl: string; width: number; height: number }>;
  nextCursor: string | null;
}

describe('earlier uploads', () => {
  let harness: ApiHarness;

  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => harness.close());

  const upload = async (hue: number, name: string, width = 64, height = 48) =>
    expectJson<{ id: string }>(await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(hue, width, height), name)), 201);
  const list = (query = '') => call(handleListUploads, apiRequest(`/api/uploads${query}`));

  describe('GET /api/uploads', () => {
    it('lists assets newest first with image and thumbnail URLs, paging with an opaque cursor', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push((await upload(20 + index * 30, `ref-${index}.png`)).id);
        // Distinct upload times, so "newest first" is observable (ids break ties otherwise).
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const first = await expectJson<UploadList>(await list('?limit=2'), 200);
      expect(uploadListSchema.parse(first)).toBeTruthy();
      expect(first.items.map((item) => item.name)).toEqual(['ref-4.png', 'ref-3.png']);
      expect(first.items[0]).toMatchObject({ id: ids[4], url: `/api/uploads/${ids[4]}`, thumbUrl: `/api/uploads/${ids[4]}/thumb`, width: 64, height: 48 });
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await expectJson<UploadList>(await list(`?limit=2&cursor=${first.nextCursor}`), 200);
      expect(second.items.map((item) => item.name)).toEqual(['ref-2.png', 'ref-1.png']);
      const third = await expectJson<UploadList>(await list(`?limit=2&cursor=${second.nextCursor}`), 200);
      expect(third.items.map((item) => item.name)).toEqual(['ref-0.png']);
      expect(third.nextCursor).toBeNull();
      const all = await expectJson<UploadList>(await list(), 200);
      expect(all.items).toHaveLength(5);
      expect(all.nextCursor).toBeNull();
    });

    it('answers an empty list when nothing was uploaded', async () => {
      expect(await expectJson<UploadList>(await list(), 200)).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a bad limit, a forged cursor and unknown parameters, naming the field', async () => {
      await expectError(await list('?limit=0'), 400, 'invalid_input', ['limit']);
      await expectError(await list('?limit=201'), 400, 'invalid_input', ['limit']);
      await expectError(await list('?limit=ten'), 400, 'invalid_input', ['limit']);
      await expectError(await list('?cursor=not-a-cursor'), 400, 'invalid_input', ['cursor']);
      await expectError(await list('?sort=oldest'), 400, 'invalid_input', ['sort']);
    });
  });

  describe('GET /api/uploads/{id} and /thumb', () => {
    it('serves the stored image, and a WebP thumbnail made once and then kept in the blob store', async () => {
      const { id } = await upload(90, 'big.png', 1200, 600);
      const image = await call(handleGetUpload, apiRequest(`/api/uploads/${id}`), { id });
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(1200);

      const thumbnail = await call(handleGetUploadThumbnail, apiRequest(`/api/uploads/${id}/thumb`), { id });
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/webp');
      const metadata = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect(metadata).toMatchObject({ format: 'webp', width: 384, height: 192 });
      const asset = await harness.fleet.store.assets.getAsset(id);
      expect(existsSync(blobFilePath(harness.fleet.blobs, `asset-thumbnails/${asset!.sha256.slice(0, 2)}/${asset!.sha256}.webp`))).toBe(true);

      const etag = thumbnail.headers.get('etag') ?? '';
      const again = await call(handleGetUploadThumbnail, apiRequest(`/api/uploads/${id}/thumb`, { headers: { 'if-none-match': etag } }), { id });
      expect(again.status).toBe(304);
    });

    it('answers 404 for an unknown asset and 400 for a malformed id', async () => {
      await expectError(await call(handleGetUploadThumbnail, apiRequest('/api/uploads/nope/thumb'), { id: 'nope' }), 404, 'not_found');
      await expectError(await call(handleGetUpload, apiRequest('/api/uploads/nope'), { id: 'nope' }), 404, 'not_found');
      await expectError(await call(handleGetUploadThumbnail, apiRequest('/api/uploads/..%2Fx/thumb'), { id: '../x' }), 400, 'invalid_input', ['id']);
      const { id } = await upload(10, 'a.png');
      await expectError(await call(handleGetUploadThumbnail, apiRequest(`/api/uploads/${id}/thumb?size=2`), { id }), 400, 'invalid_input', ['size']);
    });
  });
});
