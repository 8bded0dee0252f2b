import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAssetThumbnail } from '../../src/imaging/asset-thumbnail.js';
import { encodeReference } from '../../src/imaging/reference-image.js';
import { AssetImporter } from '../../src/store/blobs/asset-importer.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('encodeReference', () => {
  it('re-encodes without metadata, upright, keeping PNG/JPEG/WebP and turning other formats into PNG', async () => {
    const jpeg = await sharp({ create: { width: 60, height: 20, channels: 3, background: { r: 200, g: 10, b: 10 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const stored = await encodeReference(jpeg, 'photo.jpg', 1_000_000);
    expect([stored.mediaType, stored.width, stored.height]).toEqual(['image/jpeg', 20, 60]);
    expect((await sharp(stored.bytes).metadata()).orientation).toBeUndefined();
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).tiff().toBuffer();
    expect((await encodeReference(tiff, 'scan.tiff', 1_000_000)).mediaType).toBe('image/png');
  });

  it('refuses what is not an image, and images over the pixel limit before decoding them', async () => {
    await expect(encodeReference(Buffer.from('plain text'), 'notes.png', 1_000_000)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('notes.png is not an image') as unknown });
    const big = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    await expect(encodeReference(big, 'big.png', 10_000)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('importing references over the blob port', () => {
  let directory: string;
  let cleanup: () => Promise<void>;
  let store: SqliteStore;
  let blobs: FileBlobStore;

  beforeEach(async () => {
    ({ directory, cleanup } = await makeTempDir('imagefleet-reference-'));
    store = await openSqliteStore({ databasePath: path.join(directory, 'imagefleet.db') });
    blobs = new FileBlobStore(path.join(directory, 'blobs'));
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('stores a reference under the SHA-256 of its stored bytes once, without rewriting the blob', async () => {
    const importer = new AssetImporter(store.assets, blobs, () => 1_000);
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
    const first = await importer.importAssetFile(await writeTemp(directory, png), 'shoe.png');
    const key = `assets/${first.asset.sha256.slice(0, 2)}/${first.asset.sha256}.png`;
    const firstWrite = await stat(blobs.pathOf(key));
    expect(createHash('sha256').update(await blobs.read(key)).digest('hex')).toBe(first.asset.sha256);
    expect(first.asset.sourceSha256).toBe(createHash('sha256').update(png).digest('hex'));

    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await importer.importAsset(png, 'again.png');
    expect(second.id).toBe(first.asset.id);
    const secondWrite = await stat(blobs.pathOf(key));
    expect([secondWrite.mtimeMs, secondWrite.ino]).toEqual([firstWrite.mtimeMs, firstWrite.ino]);
  });

  it('makes an asset thumbnail on first use and keeps it', async () => {
    const importer = new AssetImporter(store.assets, blobs, () => 1_000);
    const asset = await importer.importAsset(await sharp({ create: { width: 900, height: 300, channels: 3, background: { r: 5, g: 5, b: 5 } } }).png().toBuffer(), 'wide.png');
    const assetKey = `assets/${asset.sha256.slice(0, 2)}/${asset.sha256}.png`;
    const key = await ensureAssetThumbnail(blobs, asset.sha256, assetKey);
    expect(key).toBe(`asset-thumbnails/${asset.sha256.slice(0, 2)}/${asset.sha256}.webp`);
    const made = await stat(blobs.pathOf(key));
    const metadata = await sharp(Buffer.from(await blobs.read(key))).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 384, 128]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ensureAssetThumbnail(blobs, asset.sha256, assetKey)).toBe(key);
    expect((await stat(blobs.pathOf(key))).mtimeMs).toBe(made.mtimeMs);
  });
});

async function writeTemp(directory: string, bytes: Buffer): Promise<string> {
  const { writeFile } = await import('node:fs/promises');
  const filePath = path.join(directory, `upload-${Date.now()}.bin`);
  await writeFile(filePath, bytes);
  return filePath;
}
