import { blobFilePath } from '../support/blob-file-path.js';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleUpload, handleZipUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, uploadRequest, type ApiHarness } from './api-harness.js';
import { buildZip, pngWithDimensions } from './fixtures.js';
import { sqliteDatabaseOf } from '../support/sqlite-database-of.js';

interface AssetBody {
  id: string;
  sha256: string;
  width: number;
  height: number;
  mimeType: string;
  byteSize: number;
  name: string;
}

describe('upload routes', () => {
  let harness: ApiHarness;

  beforeEach(async () => {
    harness = await openApiHarness({ IMAGEFLEET_UPLOAD_MAX_BYTES: String(2 * 1024 * 1024), IMAGEFLEET_ZIP_MAX_ENTRIES: '50', IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES: String(8 * 1024 * 1024) });
  });
  afterEach(async () => harness.close());

  const upload = (bytes: Uint8Array, name: string) => call(handleUpload, uploadRequest('/api/uploads', bytes, name));
  const uploadZip = (bytes: Uint8Array, name = 'refs.zip') => call(handleZipUpload, uploadRequest('/api/uploads/zip', bytes, name));
  const assetCount = async () => (await sqliteDatabaseOf(harness.fleet).db.selectFrom('assets').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  const leftovers = () => {
    const directory = path.join(harness.dataDir, 'tmp', 'uploads');
    return existsSync(directory) ? readdirSync(directory) : [];
  };

  describe('POST /api/uploads', () => {
    it('stores an image (201) and answers the same id with 200 for the same bytes', async () => {
      const bytes = await pngBytes(40, 120, 80);
      const first = await expectJson<AssetBody>(await upload(bytes, 'shoe.png'), 201);
      expect(first).toMatchObject({ width: 120, height: 80, mimeType: 'image/png', name: 'shoe.png' });
      expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
      const again = await expectJson<AssetBody>(await upload(bytes, 'copy.png'), 200);
      expect(again.id).toBe(first.id);
      expect(await assetCount()).toBe(1);
      expect(leftovers()).toEqual([]);
    });

    it('accepts JPEG, WebP and AVIF by their bytes, whatever the name, and strips metadata', async () => {
      const base = sharp(await pngBytes(200, 64, 64));
      const jpeg = await base.clone().jpeg().withExif({ IFD0: { Copyright: 'secret GPS place' } }).toBuffer();
      const stored = await expectJson<AssetBody>(await upload(jpeg, 'photo.png'), 201);
      expect(stored.mimeType).toBe('image/jpeg');
      const asset = await harness.fleet.store.assets.getAsset(stored.id);
      const metadata = await sharp(await readFile(blobFilePath(harness.fleet.blobs, asset!.blobKey))).metadata();
      expect(metadata.exif).toBeUndefined();
      expect((await expectJson<AssetBody>(await upload(await base.clone().webp().toBuffer(), 'x'), 201)).mimeType).toBe('image/webp');
      expect((await expectJson<AssetBody>(await upload(await base.clone().avif().toBuffer(), 'x.avif'), 201)).mimeType).toBe('image/png');
    });

    it('refuses a non-image named .png with 415, storing nothing', async () => {
      const body = await expectError(await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'cat.png'), 415, 'unsupported_media_type');
      expect(body.error.message).toContain('judged by its bytes');
      await expectError(await upload(await sharp(await pngBytes(1)).gif().toBuffer(), 'anim.gif'), 415, 'unsupported_media_type');
      await expectError(await upload(await sharp(await pngBytes(1)).tiff().toBuffer(), 'scan.tif'), 415, 'unsupported_media_type');
      await expectError(await upload(Buffer.alloc(0), 'empty.png'), 415, 'unsupported_media_type');
      expect(await assetCount()).toBe(0);
      expect(leftovers()).toEqual([]);
    });

    it('refuses a 20,000×20,000 PNG from its header with 422', async () => {
      const body = await expectError(await upload(pngWithDimensions(20_000, 20_000), 'bomb.png'), 422, 'unprocessable');
      expect(body.error.message).toContain('20000×20000');
      expect(body.error.message).toContain('IMAGEFLEET_UPLOAD_MAX_PIXELS');
      expect(await assetCount()).toBe(0);
    });

    it('refuses a truncated image with 422', async () => {
      const bytes = await pngBytes(3, 300, 300);
      await expectError(await upload(bytes.subarray(0, Math.floor(bytes.length / 2)), 'half.png'), 422, 'unprocessable');
      expect(await assetCount()).toBe(0);
    });

    it('refuses a body over the limit with 413, by declared length and while streaming', async () => {
      const big = Buffer.concat([await pngBytes(9), Buffer.alloc(3 * 1024 * 1024, 1)]);
      await expectError(await upload(big, 'big.png'), 413, 'payload_too_large');
      // Without a Content-Length the limit stops the write as the bytes arrive.
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(big)]), 'big.png');
      const encoded = new Response(form);
      const streamed = apiRequest('/api/uploads', { method: 'POST', body: encoded.body!, headers: { 'content-type': encoded.headers.get('content-type')! } });
      await expectError(await call(handleUpload, streamed), 413, 'payload_too_large');
      expect(await assetCount()).toBe(0);
      expect(leftovers()).toEqual([]);
    });

    it('refuses requests that are not one file in a multipart form', async () => {
      await expectError(await call(handleUpload, apiRequest('/api/uploads', { json: { file: 'aGVsbG8=' } })), 415, 'unsupported_media_type');
      await expectError(await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(2), 'a.png', { field: 'image' })), 400, 'invalid_input', ['file']);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await pngBytes(3))]), 'a.png');
      form.append('file', new Blob([new Uint8Array(await pngBytes(4))]), 'b.png');
      await expectError(await call(handleUpload, apiRequest('/api/uploads', { method: 'POST', body: form })), 400, 'invalid_input', ['file']);
      await expectError(
        await call(handleUpload, apiRequest('/api/uploads', { method: 'POST', body: '--x\r\nbroken', headers: { 'content-type': 'multipart/form-data; boundary=x' } })),
        400,
        'invalid_input',
      );
      await expectError(await call(handleUpload, uploadRequest('/api/uploads?resize=1', await pngBytes(2), 'a.png')), 400, 'invalid_input', ['resize']);
      expect(await assetCount()).toBe(0);
    });
  });

  describe('POST /api/uploads/zip', () => {
    it('stores the images of a ZIP and lists what it rejected, with reasons', async () => {
      const zip = buildZip([
        { name: 'refs/', data: Buffer.alloc(0), unixMode: 0o040755 },
        { name: 'refs/a.png', data: await pngBytes(10), deflate: true },
        { name: 'refs/b.jpg', data: await sharp(await pngBytes(20)).jpeg().toBuffer() },
        { name: 'refs/notes.txt', data: Buffer.from('not an image') },
        { name: '../escape.png', data: await pngBytes(30) },
        { name: '/etc/absolute.png', data: await pngBytes(31) },
        { name: 'C:/windows.png', data: await pngBytes(32) },
        { name: 'refs\\back.png', data: await pngBytes(33) },
        { name: '..\\..\\windows-escape.png', data: await pngBytes(34) },
        { name: 'refs/link.png', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 },
        { name: '__MACOSX/refs/._a.png', data: Buffer.from('resource fork') },
        { name: 'refs/huge.png', data: Buffer.alloc(3 * 1024 * 1024), deflate: true },
      ]);
      const body = await expectJson<{ assets: Array<AssetBody & { entry: string; created: boolean }>; rejected: Array<{ entry: string; reason: string }> }>(await uploadZip(zip), 201);
      expect(body.assets.map((asset) => [asset.entry, asset.mimeType, asset.created])).toEqual([
        ['refs/a.png', 'image/png', true],
        ['refs/b.jpg', 'image/jpeg', true],
        // Backslashes are folder separators, as Windows archivers write them.
        ['refs/back.png', 'image/png', true],
      ]);
      const reasons = Object.fromEntries(body.rejected.map((entry) => [entry.entry, entry.reason]));
      expect(Object.keys(reasons).sort()).toEqual(['../escape.png', '../../windows-escape.png', '/etc/absolute.png', 'C:/windows.png', '__MACOSX/refs/._a.png', 'refs/huge.png', 'refs/link.png', 'refs/notes.txt'].sort());
      expect(reasons['../escape.png']).toContain('leave its folder');
      expect(reasons['refs/link.png']).toContain('symbolic link');
      expect(reasons['refs/notes.txt']).toContain('not an image');
      expect(reasons['refs/huge.png']).toContain('IMAGEFLEET_UPLOAD_MAX_BYTES');
      expect(await assetCount()).toBe(3);
      expect(existsSync(path.join(harness.dataDir, 'tmp', 'escape.png'))).toBe(false);
      expect(existsSync(path.join(harness.directory, 'escape.png'))).toBe(false);
      expect(leftovers()).toEqual([]);

      // The same archive again: nothing new.
      const again = await expectJson<{ assets: Array<{ created: boolean; id: string }> }>(await uploadZip(zip), 200);
      expect(again.assets.map((asset) => asset.created)).toEqual([false, false, false]);
      expect(again.assets.map((asset) => asset.id)).toEqual(body.assets.map((asset) => asset.id));
    });

    it('answers 422 listing the reasons when no entry is usable (a ZIP of ../ entries)', async () => {
      const zip = buildZip([
        { name: '../../evil.png', data: await pngBytes(1) },
        { name: 'ok/../../evil2.png', data: await pngBytes(2) },
      ]);
      const body = await expectError(await uploadZip(zip), 422, 'unprocessable', ['../../evil.png', 'ok/../../evil2.png']);
      expect(body.error.message).toContain('Nothing was stored');
      expect(await assetCount()).toBe(0);
      expect(leftovers()).toEqual([]);
    });

    it('refuses a ZIP bomb by its declared expansion with 413 before extracting anything', async () => {
      const zip = buildZip([
        { name: 'a.png', data: await pngBytes(1) },
        ...Array.from({ length: 6 }, (_value, index) => ({ name: `zeros-${index}.png`, data: Buffer.alloc(1.9 * 1024 * 1024), deflate: true })),
      ]);
      expect(zip.length).toBeLessThan(100_000);
      const body = await expectError(await uploadZip(zip), 413, 'payload_too_large');
      expect(body.error.message).toContain('IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES');
      expect(await assetCount()).toBe(0);
      expect(leftovers()).toEqual([]);
    });

    it('rejects an entry whose data expands beyond its declared size (a lying header)', async () => {
      const zip = buildZip([
        { name: 'liar.png', data: Buffer.concat([await pngBytes(5), Buffer.alloc(1024 * 1024)]), deflate: true, declaredSize: 100 },
        { name: 'good.png', data: await pngBytes(6) },
      ]);
      const body = await expectJson<{ assets: Array<{ entry: string }>; rejected: Array<{ entry: string; reason: string }> }>(await uploadZip(zip), 201);
      expect(body.assets.map((asset) => asset.entry)).toEqual(['good.png']);
      expect(body.rejected.map((entry) => entry.entry)).toEqual(['liar.png']);
      expect(body.rejected[0]?.reason).toContain('does not match its header');
    });

    it('refuses more entries than allowed with 413, counting the real entries', async () => {
      const zip = buildZip(Array.from({ length: 60 }, (_value, index) => ({ name: `f${index}.txt`, data: Buffer.from('x') })));
      const body = await expectError(await uploadZip(zip), 413, 'payload_too_large');
      expect(body.error.message).toContain('IMAGEFLEET_ZIP_MAX_ENTRIES');
      expect(await assetCount()).toBe(0);
    });

    it('refuses what is not a ZIP (415) and a ZIP that cannot be read (422)', async () => {
      await expectError(await uploadZip(await pngBytes(1), 'looks.zip'), 415, 'unsupported_media_type');
      await expectError(await uploadZip(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)])), 422, 'unprocessable');
      await expectError(await uploadZip(buildZip([])), 400, 'invalid_input');
      expect(leftovers()).toEqual([]);
    });
  });
});
