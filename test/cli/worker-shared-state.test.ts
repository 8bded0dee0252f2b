/**
 * Issue 17 at the process level: `imagefleet worker` processes, each with its own data directory
 * (as on separate machines), configured with `IMAGEFLEET_DATABASE_URL` + `IMAGEFLEET_BLOB_URL`, run
 * a job another process submitted; and a configuration they cannot use stops the start with one
 * sentence naming the variable, never echoing the password or secret key.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSessionRecord } from '../../src/cli/session/session-records.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { waitFor } from '../support/engine-harness.js';
import { cleanEnvironment, freeLoopbackPort, runCli, startCli, within, type CliProcess } from '../support/cli-process.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { startS3Server, s3rverCredentials, type RunningS3Server } from '../support/s3-server.js';
import { makeTempDir } from '../support/temp-dir.js';

const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;
const password = 'hunter2-db-password';
const secretKey = 'S3RVER';

describe.skipIf(!postgresAvailable)('imagefleet worker on Postgres and S3 (skipped outside CI when PostgreSQL is not installed)', () => {
  let postgres: PostgresServer;
  let s3: RunningS3Server;
  let temp: { directory: string; cleanup: () => Promise<void> };
  let databaseUrl: string;

  beforeAll(async () => {
    [postgres, s3, temp] = await Promise.all([startPostgresServer(), startS3Server(), makeTempDir('imagefleet-workers-')]);
    // Trust authentication ignores the password; it is there to prove it never reaches the output.
    databaseUrl = (await postgres.createDatabase('workers')).replace('postgres@', `postgres:${password}@`);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([postgres?.stop(), s3?.stop(), temp?.cleanup()]);
  });

  const sharedEnvironment = (overrides: Record<string, string> = {}): Record<string, string> => ({
    IMAGEFLEET_DATABASE_URL: databaseUrl,
    IMAGEFLEET_BLOB_URL: `s3://${s3.bucket}/workers`,
    AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000',
    ...overrides,
  });

  async function startedWorker(machine: string): Promise<CliProcess> {
    const worker = startCli(['worker', '--data-dir', path.join(temp.directory, machine)], { env: cleanEnvironment(sharedEnvironment()) });
    await within(
      (async () => {
        while (!worker.stdout().includes('imagefleet worker started')) {
          if (worker.child.exitCode !== null) throw new Error(`worker exited early:\n${worker.stderr()}${worker.stdout()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
      60_000,
      'worker did not start within 60 s',
    );
    return worker;
  }

  it('two worker processes with their own data directories run a job submitted by a third process', async () => {
    const workers = await Promise.all([startedWorker('worker-one'), startedWorker('worker-two')]);
    const submitter = await createFleet(loadConfig({ ...sharedEnvironment(), IMAGEFLEET_DATA_DIR: path.join(temp.directory, 'web') }));
    try {
      const reference = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toBuffer());
      const asset = await submitter.importAsset(reference, 'reference.png');
      const { job } = await submitter.submitJob({ mode: 'automatic', referenceAssetIds: [asset.id], prompt: 'two machines', variationsPerImage: 4, settings: { size: '512', aspectRatio: '1:1' } });
      await waitFor(async () => (await submitter.store.jobs.getJob(job!.id))?.status === 'completed', 60_000, 'job completed by the worker processes');
      const images = await submitter.store.images.listImages({ jobId: job!.id, limit: 10 });
      expect(images).toHaveLength(4);
      // The bytes are in the bucket, readable from any machine.
      const bytes = await submitter.blobs.read(images[0]!.fileKey);
      expect((await sharp(bytes).metadata()).format).toBe('png');
      for (const machine of ['worker-one', 'worker-two', 'web']) {
        expect(existsSync(path.join(temp.directory, machine, 'imagefleet.db'))).toBe(false);
        expect(existsSync(path.join(temp.directory, machine, 'files'))).toBe(false);
      }
    } finally {
      await submitter.stop();
      for (const worker of workers) worker.child.kill('SIGTERM');
      const exits = await Promise.all(workers.map((worker) => within(worker.exited, 15_000, 'worker did not stop')));
      expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
      for (const worker of workers) expect(worker.stdout()).not.toContain(password);
    }
  }, 120_000);

  it('imagefleet sessions on another machine lists a session recorded elsewhere, from the shared database', async () => {
    const elsewhere = loadConfig({ ...sharedEnvironment(), IMAGEFLEET_DATA_DIR: path.join(temp.directory, 'cli-elsewhere') });
    await writeSessionRecord(elsewhere, { version: 1, session_id: '20261205-050000-wxyz', job_id: null, created: '2026-12-05T05:00:00.000Z', cwd: temp.directory, out: path.join(temp.directory, 'out'), layout: 'flat', parent_session: null, config: { provider: 'local' } });
    const { code, stdout, stderr } = await runCli(['sessions', '--json', '--data-dir', path.join(temp.directory, 'cli-here')], { env: cleanEnvironment(sharedEnvironment()), timeoutMs: 60_000 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const sessions = JSON.parse(stdout) as Array<{ session_id: string; status: string }>;
    expect(sessions).toContainEqual(expect.objectContaining({ session_id: '20261205-050000-wxyz', status: 'never_started' }));
    expect(existsSync(path.join(temp.directory, 'cli-here', 'imagefleet.db'))).toBe(false);
  }, 90_000);

  /** Runs `imagefleet worker` with `overrides` and returns what it printed when it refused to start. */
  async function refusedStart(overrides: Record<string, string>): Promise<string> {
    const { code, stdout, stderr } = await runCli(['worker', '--data-dir', path.join(temp.directory, 'refused')], { env: cleanEnvironment(sharedEnvironment(overrides)), timeoutMs: 60_000 });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const output = `${stderr}${stdout}`;
    expect(output).not.toContain(password);
    expect(output).not.toContain(`${secretKey}@`);
    return stderr.trim();
  }

  it('refuses a database URL that is not a PostgreSQL URL in one sentence, without the password', async () => {
    const message = await refusedStart({ IMAGEFLEET_DATABASE_URL: `mysql://imagefleet:${password}@db.example.com/imagefleet` });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('IMAGEFLEET_DATABASE_URL must be a postgres:// or postgresql:// URL');
  });

  it('refuses an unreachable database in one sentence naming IMAGEFLEET_DATABASE_URL, without the password', async () => {
    const port = await freeLoopbackPort();
    const message = await refusedStart({ IMAGEFLEET_DATABASE_URL: `postgres://imagefleet:${password}@127.0.0.1:${port}/imagefleet` });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('IMAGEFLEET_DATABASE_URL');
    expect(message).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a missing bucket in one sentence naming IMAGEFLEET_BLOB_URL, without the secret key', async () => {
    const message = await refusedStart({ IMAGEFLEET_BLOB_URL: 's3://no-such-bucket/prefix', AWS_SECRET_ACCESS_KEY: 'a-secret-key-that-must-not-show' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('IMAGEFLEET_BLOB_URL');
    expect(message).toContain('no-such-bucket');
    expect(message).toContain('does not exist');
    expect(message).not.toContain('a-secret-key-that-must-not-show');
  });

  it('refuses an unreachable S3 endpoint in one sentence naming IMAGEFLEET_BLOB_URL', async () => {
    const port = await freeLoopbackPort();
    const message = await refusedStart({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`, AWS_SECRET_ACCESS_KEY: 'a-secret-key-that-must-not-show' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('IMAGEFLEET_BLOB_URL');
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).not.toContain('a-secret-key-that-must-not-show');
  });

  it('refuses a blob URL with credentials in it without quoting them', async () => {
    const message = await refusedStart({ IMAGEFLEET_BLOB_URL: `s3://key:${password}@bucket/prefix` });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('IMAGEFLEET_BLOB_URL');
  });
});
