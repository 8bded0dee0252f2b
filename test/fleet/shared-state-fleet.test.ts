/**
 * Issue 17: fleets configured with `IMAGEFLEET_DATABASE_URL` (a real throwaway Postgres) and
 * `IMAGEFLEET_BLOB_URL` (s3rver), each with its OWN data directory as on separate machines, share
 * one state: a job submitted on one is run by another's engine, woken by LISTEN/NOTIFY rather than
 * its poll; its images are served (and zipped) by the first; session records are seen by both.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { zipEntryNamesOfBuffer } from '../e2e/support/zip-entries.js';
import { listSessionRecords, readSessionRecord, writeSessionRecord, type SessionRecord } from '../../src/cli/session/session-records.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { handleDownload } from '../../src/server/download-handler.js';
import { EventFanOut } from '../../src/server/event-fan-out.js';
import { setFleet } from '../../src/server/fleet-holder.js';
import { handleHealthRoute } from '../../src/server/health-handler.js';
import { handleGetImage } from '../../src/server/image-handlers.js';
import { apiRequest, call } from '../api/api-harness.js';
import { waitFor } from '../support/engine-harness.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { startS3Server, s3rverCredentials, type RunningS3Server } from '../support/s3-server.js';
import { makeTempDir } from '../support/temp-dir.js';

const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;

async function referencePng(hue: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: hue, g: 255 - hue, b: 90 } } }).png().toBuffer());
}


describe.skipIf(!postgresAvailable)('fleets sharing Postgres and S3 (skipped outside CI when PostgreSQL is not installed)', () => {
  let postgres: PostgresServer;
  let s3: RunningS3Server;
  let temp: { directory: string; cleanup: () => Promise<void> };
  let databaseCount = 0;
  const fleets: Fleet[] = [];

  beforeAll(async () => {
    [postgres, s3, temp] = await Promise.all([startPostgresServer(), startS3Server(), makeTempDir('imagefleet-shared-')]);
  }, 90_000);
  afterEach(async () => {
    setFleet(undefined);
    for (const fleet of fleets.splice(0)) await fleet.stop();
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), s3?.stop(), temp?.cleanup()]);
  });

  /** The environment of one "machine": its own data directory, the shared database and bucket. */
  function machineEnvironment(databaseUrl: string, machine: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      IMAGEFLEET_DATA_DIR: path.join(temp.directory, `${databaseUrl.split('/').at(-1)}-${machine}`),
      IMAGEFLEET_DATABASE_URL: databaseUrl,
      IMAGEFLEET_DATABASE_POOL_SIZE: '4',
      IMAGEFLEET_BLOB_URL: `s3://${s3.bucket}/${databaseUrl.split('/').at(-1)}`,
      AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000',
      ...extra,
    };
  }

  async function newDatabase(): Promise<string> {
    databaseCount += 1;
    return postgres.createDatabase(`fleet_${databaseCount}`);
  }

  async function openMachine(databaseUrl: string, machine: string, extra: Record<string, string> = {}): Promise<Fleet> {
    const fleet = await createFleet(loadConfig(machineEnvironment(databaseUrl, machine, extra)));
    fleets.push(fleet);
    return fleet;
  }

  it('runs a job submitted on the web machine on a worker machine; the web machine serves its image and ZIP from S3', async () => {
    const databaseUrl = await newDatabase();
    const web = await openMachine(databaseUrl, 'web');
    const worker = await openMachine(databaseUrl, 'worker');
    worker.start();

    const asset = await web.importAsset(await referencePng(40), 'product.png');
    const { job } = await web.submitJob({ mode: 'automatic', referenceAssetIds: [asset.id], prompt: 'studio light', variationsPerImage: 2, settings: { size: '512', aspectRatio: '1:1' } });
    await waitFor(async () => (await web.store.jobs.getJob(job!.id))?.status === 'completed', 30_000, 'job completed by the worker machine');

    const images = await web.store.images.listImages({ jobId: job!.id, limit: 10 });
    expect(images).toHaveLength(2);
    // Nothing of the shared state is in either machine's data directory.
    for (const fleet of [web, worker]) {
      expect(existsSync(fleet.config.databasePath)).toBe(false);
      expect(existsSync(fleet.config.blobsDir)).toBe(false);
    }

    setFleet(web);
    const image = images[0]!;
    const served = await call(handleGetImage, apiRequest(`/api/images/${image.id}`), { id: image.id });
    expect(served.status).toBe(200);
    const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(metadata.format).toBe('png');
    expect(metadata.width).toBe(image.width);

    const zip = await call(handleDownload, apiRequest(`/api/download/${job!.groupId}`), { groupId: job!.groupId });
    expect(zip.status).toBe(200);
    const archive = Buffer.from(await zip.arrayBuffer());
    const names = await zipEntryNamesOfBuffer(archive);
    expect(names.filter((name) => name.endsWith('.png'))).toHaveLength(2);
    expect(names).toContain('manifest.csv');
    // The CRC-32 stored when the worker wrote each image is what the archive carries: Python's reader checks it against the bytes.
    expect(images.every((stored) => stored.crc32 !== undefined)).toBe(true);
    const tested = spawnSync('python3', ['-c', 'import io, sys, zipfile; print(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).testzip())'], { input: archive, encoding: 'utf8' });
    expect(tested.stdout.trim()).toBe('None');
  }, 60_000);

  it('wakes an idle engine on another machine when a job is submitted, long before its poll interval', async () => {
    const databaseUrl = await newDatabase();
    const web = await openMachine(databaseUrl, 'web');
    // A worker that, without a wake-up, would look for work once a minute.
    const worker = await openMachine(databaseUrl, 'worker', { IMAGEFLEET_IDLE_POLL_MS: '60000' });
    worker.start();
    // Let the worker's first (empty) look pass, so it is asleep in its poll interval.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const asset = await web.importAsset(await referencePng(120), 'wake.png');
    const { job } = await web.submitJob({ mode: 'automatic', referenceAssetIds: [asset.id], prompt: 'wake up', variationsPerImage: 1, settings: { size: '512', aspectRatio: '1:1' } });
    // Far less than the 60 s poll: only a wake-up can have started it (the web machine's engine never runs).
    await waitFor(async () => (await web.store.jobs.getJob(job!.id))?.status === 'completed', 20_000, 'job completed without waiting for the poll');
    expect(web.engine.isRunning).toBe(false);
  }, 60_000);

  it('delivers events committed by another process to this process\'s live-event streams at once, not at their poll', async () => {
    const databaseUrl = await newDatabase();
    const worker = await openMachine(databaseUrl, 'worker');
    const web = await openMachine(databaseUrl, 'web');
    // Streams of the web machine would otherwise read the log once a minute.
    const fanOut = new EventFanOut(web, 60_000);
    await fanOut.start();
    const detach = fanOut.attach(() => undefined);
    try {
      const cursor = fanOut.newestId;
      worker.start();
      const asset = await worker.importAsset(await referencePng(200), 'elsewhere.png');
      const { job } = await worker.submitJob({ mode: 'automatic', referenceAssetIds: [asset.id], prompt: 'seen elsewhere', variationsPerImage: 1, settings: { size: '512', aspectRatio: '1:1' } });
      // `next` only serves what the tail loop read; without a wake-up that happens at the 60 s poll.
      await waitFor(async () => (await fanOut.next(cursor, job!.id)).events.some((event) => event.type === 'job.finished'), 20_000, 'the web machine saw the job finish');
    } finally {
      detach();
      fanOut.close();
    }
  }, 60_000);

  it('keeps CLI session records in the shared database, so another machine lists and reads them', async () => {
    const databaseUrl = await newDatabase();
    const first = loadConfig(machineEnvironment(databaseUrl, 'cli-one'));
    const second = loadConfig(machineEnvironment(databaseUrl, 'cli-two'));
    const record: SessionRecord = { version: 1, session_id: '20261205-040000-abcd', job_id: null, created: '2026-12-05T04:00:00.000Z', cwd: '/work', out: '/work/out', layout: 'flat', parent_session: null, config: { provider: 'local' } };
    await writeSessionRecord(first, record);
    expect(await listSessionRecords(second)).toEqual([record]);
    // Also through an open fleet of the second machine (the shared store of that process).
    const fleet = await openMachine(databaseUrl, 'cli-two');
    await writeSessionRecord(fleet.config, { ...record, job_id: 'job-1' });
    expect((await readSessionRecord(first, record.session_id))?.job_id).toBe('job-1');
    expect(existsSync(first.dataDir)).toBe(false);
  }, 60_000);

  it('reports the shared store and bucket in the health report, without the password or secret', async () => {
    const databaseUrl = (await newDatabase()).replace('postgres@', 'postgres:hunter2-password@');
    const fleet = await openMachine(databaseUrl, 'health', { AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    setFleet(fleet);
    const response = await call(handleHealthRoute, apiRequest('/api/health'));
    expect(response.status).toBe(200);
    const text = await response.text();
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(report.store).toEqual({ kind: 'postgres', host: `127.0.0.1:${postgres.port}`, database: databaseUrl.split('/').at(-1), reachable: true });
    expect(report.blobs).toEqual({ kind: 's3', bucket: s3.bucket, prefix: `${databaseUrl.split('/').at(-1)}/`, endpoint: s3.endpoint });
    expect(text).not.toContain('hunter2');
  }, 60_000);
});
