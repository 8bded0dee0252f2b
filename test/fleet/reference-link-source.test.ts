/**
 * Where the RunPod worker fetches references from (issue 17): a presigned GET of the bucket when
 * blobs are in S3 — fetched here from a real s3rver, byte for byte — and this server's signed link
 * otherwise.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { referenceLinkSource } from '../../src/fleet/reference-link-source.js';
import { startS3Server, s3rverCredentials, type RunningS3Server } from '../support/s3-server.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('reference links for remote workers', () => {
  let s3: RunningS3Server;
  let temp: { directory: string; cleanup: () => Promise<void> };
  const fleets: Fleet[] = [];

  beforeAll(async () => {
    [s3, temp] = await Promise.all([startS3Server(), makeTempDir('imagefleet-links-')]);
  }, 60_000);
  afterEach(async () => {
    for (const fleet of fleets.splice(0)) await fleet.stop();
  });
  afterAll(async () => {
    await Promise.all([s3?.stop(), temp?.cleanup()]);
  });

  async function open(machine: string, env: Record<string, string>): Promise<Fleet> {
    const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: path.join(temp.directory, machine), ...env }));
    fleets.push(fleet);
    return fleet;
  }

  const linkOf = (fleet: Fleet) => referenceLinkSource({ blobs: fleet.blobs, assets: fleet.store.assets, referenceLinks: fleet.referenceLinks, clock: fleet.clock });
  const png = async () => new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer());

  it('is a presigned S3 URL that serves the stored bytes when blobs are in S3, even without a public URL', async () => {
    const fleet = await open('s3', {
      IMAGEFLEET_BLOB_URL: `s3://${s3.bucket}/links`,
      AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    const asset = await fleet.importAsset(await png(), 'reference.png');
    const link = await linkOf(fleet)(asset.sha256, 60_000);
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const stored = await fleet.blobs.read((await fleet.store.assets.getAsset(asset.id))!.blobKey);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(stored))).toBe(true);
    // S3 refuses lifetimes over 7 days; a longer RunPod TTL gets the longest allowed.
    const long = new URL((await linkOf(fleet)(asset.sha256, 30 * 24 * 3_600_000))!);
    expect(long.searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
  });

  it('is this server\'s signed link with files and a public URL, and none without one', async () => {
    const withUrl = await open('files-public', { IMAGEFLEET_PUBLIC_URL: 'https://imagefleet.example.com' });
    const asset = await withUrl.importAsset(await png(), 'reference.png');
    expect(await linkOf(withUrl)(asset.sha256, 60_000)).toMatch(new RegExp(`^https://imagefleet\\.example\\.com/api/references/${asset.sha256}\\?expires=\\d+&signature=[0-9a-f]+$`));
    const without = await open('files-private', {});
    const other = await without.importAsset(await png(), 'reference.png');
    expect(await linkOf(without)(other.sha256, 60_000)).toBeUndefined();
  });
});
