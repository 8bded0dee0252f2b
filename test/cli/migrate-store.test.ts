/**
 * `imagefleet migrate-store` end to end (issue 17, docs/decisions/0042): a data directory filled by
 * a real CLI run on the local provider (jobs, tasks, images, references with a non-ASCII name and
 * prompt, events, a CLI session) plus a favourite, a group, a test webhook and a web session made
 * through the fleet's operations; copied by the real CLI into a throwaway PostgreSQL server and
 * s3rver; read back through the Postgres store and the S3 blob store and compared with the
 * source. A run killed with SIGKILL resumes without duplicates; a corrupted target blob fails
 * verification naming its key; each refusal says why in one sentence.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { createGroup } from '../../src/operations/create-group.js';
import { markImage } from '../../src/operations/mark-image.js';
import { startWebSession } from '../../src/operations/start-web-session.js';
import { S3BlobStore } from '../../src/store/blobs/s3-blob-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { openPostgresCopyTarget } from '../../src/store/postgres/store-copy-target.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { cleanEnvironment, runCli, startCli } from '../support/cli-process.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { startS3Server, s3rverCredentials, type RunningS3Server } from '../support/s3-server.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeWorkspace, png, promptsPattern, refsPattern, runInProcess, type Workspace } from './cli-test-kit.js';

const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;
const nonAsciiPrompt = 'Un héros à la plage — 海辺の夕日 🌅';
const nonAsciiReferenceName = 'ñandú 海.png';

interface MigrationJson {
  dry_run: boolean;
  resumed: boolean;
  verified: boolean;
  tables: Array<{ table: string; source_rows: number; target_rows: number; copied_rows: number }>;
  blobs: { mode: string; total: number; copied: number; skipped: number; copied_bytes: number; verified: number; damaged_in_source: string[] };
}

describe.skipIf(!postgresAvailable)('imagefleet migrate-store (skipped outside CI when PostgreSQL is not installed)', () => {
  let postgres: PostgresServer;
  let s3: RunningS3Server;
  let workspace: Workspace;
  let environment: Record<string, string>;

  beforeAll(async () => {
    [postgres, s3, workspace] = await Promise.all([startPostgresServer(), startS3Server(), makeWorkspace()]);
    environment = cleanEnvironment({ AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey, AWS_ENDPOINT_URL_S3: s3.endpoint });
    await fillDataDirectory(workspace);
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled([postgres?.stop(), s3?.stop(), workspace?.cleanup()]);
  });

  const migrate = (args: string[], timeoutMs = 120_000) => runCli(['--data-dir', workspace.dataDir, 'migrate-store', ...args], { cwd: workspace.directory, env: environment, timeoutMs });

  it('copies every row and blob, resumes a SIGKILLed run without duplicates, and reads back equal through the Postgres and S3 stores', async () => {
    const url = await postgres.createDatabase('moved');
    const blobsUrl = `s3://${s3.bucket}/moved`;

    // One row per transaction keeps the copy running long enough to be killed in the middle of it.
    const killed = startCli(['--data-dir', workspace.dataDir, 'migrate-store', '--to', url, '--blobs', blobsUrl, '--batch-rows', '1'], { cwd: workspace.directory, env: environment });
    await waitFor(() => /rows [1-9]\d*\//.test(killed.stderr()), 60_000, () => `no progress line; stderr: ${killed.stderr()}`);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const partial = await queryTarget<{ copied: number; verified: number | null }>(url, `SELECT (SELECT sum(copied_rows) FROM imagefleet_store_copy_progress)::int AS copied, (SELECT verified_at_ms FROM imagefleet_store_copy) AS verified`);
    expect(partial[0]?.verified).toBeNull();

    const resumed = await migrate(['--to', url, '--blobs', blobsUrl, '--json']);
    expect(resumed.stderr).not.toContain('imagefleet:');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as MigrationJson;
    expect(report.resumed).toBe(true);
    expect(report.verified).toBe(true);
    for (const table of report.tables) expect(table.target_rows, table.table).toBe(table.source_rows);
    const copiedBeforeKill = report.tables.reduce((sum, table) => sum + table.source_rows - table.copied_rows, 0);
    expect(copiedBeforeKill).toBeGreaterThan(0);
    expect(report.blobs.total).toBeGreaterThan(0);
    expect(report.blobs.verified).toBe(report.blobs.total);
    expect(report.blobs.damaged_in_source).toEqual([]);

    // A second run finds everything there: nothing copied, every blob skipped and verified again.
    const again = await migrate(['--to', url, '--blobs', blobsUrl, '--json']);
    expect(again.code).toBe(0);
    const againReport = JSON.parse(again.stdout) as MigrationJson;
    expect(againReport.tables.every((table) => table.copied_rows === 0)).toBe(true);
    expect(againReport.blobs).toMatchObject({ copied: 0, skipped: report.blobs.total, verified: report.blobs.total });

    const source = await openSqliteStore({ databasePath: path.join(workspace.dataDir, 'imagefleet.db') });
    const target = await openPostgresStore({ connectionString: url, poolSize: 2 });
    const targetBlobs = new S3BlobStore(s3.locationWith('moved/'));
    try {
      const jobs = await source.jobs.listJobs({});
      expect(jobs.length).toBeGreaterThan(0);
      // Postgres keeps exact micro-USD: the source's REAL sums come back rounded to the micro-dollar.
      expect((await target.jobs.listJobs({})).map(roundMoney)).toEqual(jobs.map(roundMoney));
      for (const job of jobs) {
        const tasks = await source.jobs.listTasks(job.id, {});
        expect((await target.jobs.listTasks(job.id, {})).map(roundMoney)).toEqual(tasks.map(roundMoney));
      }
      const money = await queryTarget<{ budget: number; spent: number; cost: number }>(
        url,
        `SELECT j.budget_micro_usd::int AS budget, j.spent_micro_usd::int AS spent, t.cost_micro_usd::int AS cost FROM jobs j JOIN tasks t ON t.job_id = j.id WHERE t.cost_micro_usd IS NOT NULL AND t.cost_micro_usd > 0`,
      );
      expect(money).toEqual([{ budget: 12_500_000, spent: 117_000, cost: 39_000 }]);
      expect((await queryTarget<{ flags: string }>(url, `SELECT pg_typeof(favorite)::text AS flags FROM images LIMIT 1`))[0]?.flags).toBe('boolean');
      const images = await source.images.listImages({});
      expect(images.length).toBeGreaterThan(0);
      expect(await target.images.listImages({})).toEqual(images);
      expect(images.some((image) => image.favorite)).toBe(true);
      expect(images.some((image) => image.prompt === nonAsciiPrompt)).toBe(true);
      for (const image of images) {
        expect(Buffer.from(await targetBlobs.read(image.fileKey)).equals(await readSourceBlob(workspace, image.fileKey)), image.fileKey).toBe(true);
        expect(Buffer.from(await targetBlobs.read(image.thumbnailKey)).equals(await readSourceBlob(workspace, image.thumbnailKey)), image.thumbnailKey).toBe(true);
      }
      const assets = await source.assets.listAssets({ limit: 100 });
      expect(assets.map((asset) => asset.originalName)).toContain(nonAsciiReferenceName);
      expect(await target.assets.listAssets({ limit: 100 })).toEqual(assets);
      expect(await target.groups.listGroupSummaries()).toEqual(await source.groups.listGroupSummaries());
      expect(await target.cliSessions.listSessions()).toEqual(await source.cliSessions.listSessions());
      expect(await target.events.readEvents(0, { limit: 10_000 })).toEqual(await source.events.readEvents(0, { limit: 10_000 }));

      // Sequences were moved past the copied ids: a new event gets the next id, not a copied one.
      const lastCopiedEventId = await source.events.lastEventId();
      expect(lastCopiedEventId).toBeGreaterThan(0);
      const inserted = await queryTarget<{ id: number }>(url, `INSERT INTO events (type, payload, created_at_ms) VALUES ('job.created', '{}', 0) RETURNING id::int AS id`);
      expect(inserted[0]?.id).toBe(lastCopiedEventId + 1);
    } finally {
      await Promise.allSettled([source.close(), target.close()]);
    }

    // Once the target has a row the source does not, counting tells: the copy is no longer exact.
    const diverged = await migrate(['--to', url, '--blobs', blobsUrl]);
    expect(diverged.code).toBe(3);
    expect(diverged.stderr).toMatch(/Verification failed: table events has \d+ rows in .* but \d+ in .*; one of them changed after the copy/);
  }, 240_000);

  it('fails verification naming the blob when a target blob was changed, names references damaged in the source, and refuses a second source for the same database', async () => {
    const url = await postgres.createDatabase('corrupted');
    const blobsUrl = `s3://${s3.bucket}/corrupted`;
    const first = await migrate(['--to', url, '--blobs', blobsUrl]);
    expect(first.stderr).not.toContain('imagefleet:');
    expect(first.stderr).toContain('migrate-store: verified');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Verified: every table has as many rows');

    const targetBlobs = new S3BlobStore(s3.locationWith('corrupted/'));
    const key = imageKeys(workspace)[0]!;
    const original = Buffer.from(await targetBlobs.read(key));
    const damaged = Buffer.from(original);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1]! + 1) % 256;
    await targetBlobs.put(key, damaged, { contentType: 'image/png' });

    const verify = await migrate(['--to', url, '--blobs', blobsUrl]);
    expect(verify.code).toBe(3);
    expect(verify.stderr).toContain(`Verification failed: blob ${key} differs in the target blob store`);

    // A reference already damaged in the source is copied as it is, and named: its bytes no longer hash to its key.
    const assetKey = sourceRows<{ blob_key: string }>(workspace, 'SELECT blob_key FROM assets ORDER BY id LIMIT 1')[0]!.blob_key;
    const assetPath = path.join(workspace.dataDir, 'files', assetKey);
    const assetBytes = await readFile(assetPath);
    const flipped = Buffer.from(assetBytes);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1]! + 1) % 256;
    await writeFile(assetPath, flipped);
    try {
      const damagedRun = await migrate(['--to', await postgres.createDatabase('damaged_source'), '--blobs', `s3://${s3.bucket}/damaged-source`, '--json']);
      expect(damagedRun.code).toBe(0);
      expect((JSON.parse(damagedRun.stdout) as MigrationJson).blobs.damaged_in_source).toEqual([assetKey]);
    } finally {
      await writeFile(assetPath, assetBytes);
    }

    const other = await makeTempDir('imagefleet-other-');
    try {
      const otherStore = await openSqliteStore({ databasePath: path.join(other.directory, 'imagefleet.db') });
      await otherStore.groups.createGroup('Autre');
      await otherStore.close();
      const mixed = await runCli(['--data-dir', other.directory, 'migrate-store', '--to', url, '--blobs', blobsUrl], { cwd: workspace.directory, env: environment, timeoutMs: 60_000 });
      expect(mixed.code).toBe(1);
      expect(mixed.stderr).toContain(`is being filled from another installation (${path.join(workspace.dataDir, 'imagefleet.db')}); finish that move, or point --to at an empty database.`);
    } finally {
      await other.cleanup();
    }
  }, 180_000);

  it('refuses, in one sentence each, missing flags, a database holding other data, a newer target schema and an installation in use', async () => {
    const noBlobs = await migrate(['--to', postgres.url]);
    expect(noBlobs.code).toBe(2);
    expect(noBlobs.stderr).toContain('--blobs is required: s3://bucket/prefix to copy the images to S3, or --blobs files to leave them in the data directory.');
    const notPostgres = await migrate(['--to', 'mysql://localhost/imagefleet', '--blobs', 'files']);
    expect(notPostgres.code).toBe(2);
    expect(notPostgres.stderr).toContain('--to must be a PostgreSQL URL');

    const busyUrl = await postgres.createDatabase('busy');
    const busy = await openPostgresStore({ connectionString: busyUrl, poolSize: 1 });
    await busy.groups.createGroup('Already here');
    await busy.close();
    const nonEmpty = await migrate(['--to', busyUrl, '--blobs', 'files']);
    expect(nonEmpty.code).toBe(1);
    expect(nonEmpty.stderr).toMatch(/already holds imagefleet data \(\d+ row\(s\) in groups\) that is not a copy of .*; point --to at an empty database\./);

    const newerUrl = await postgres.createDatabase('newer');
    await (await openPostgresStore({ connectionString: newerUrl, poolSize: 1 })).close();
    await queryTarget(newerUrl, `INSERT INTO kysely_migration (name, timestamp) VALUES ('0099-from-the-future', now()::text)`);
    const newer = await migrate(['--to', newerUrl, '--blobs', 'files']);
    expect(newer.code).toBe(3);
    expect(newer.stderr).toContain('was created by a newer version of imagefleet (unknown migrations: 0099-from-the-future)');
    expect(newer.stderr).not.toContain('IMAGEFLEET_DATABASE_URL');

    // A lease held by a live process of another machine: the installation is in use.
    const databasePath = path.join(workspace.dataDir, 'imagefleet.db');
    const sqlite = new BetterSqlite3(databasePath);
    const taskId = (sqlite.prepare('SELECT id FROM tasks LIMIT 1').get() as { id: string }).id;
    const before = sqlite.prepare('SELECT lease_owner, lease_expires_at_ms FROM tasks WHERE id = ?').get(taskId) as { lease_owner: string | null; lease_expires_at_ms: number | null };
    sqlite.prepare('UPDATE tasks SET lease_owner = ?, lease_expires_at_ms = ? WHERE id = ?').run('render-02:4242:abcd1234', Date.now() + 600_000, taskId);
    try {
      const inUse = await migrate(['--to', await postgres.createDatabase('in_use'), '--blobs', 'files']);
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toContain('is in use: 1 lease(s) are live (held by render-02:4242:abcd1234); stop every imagefleet serve, worker and run on it, then run migrate-store again.');
    } finally {
      sqlite.prepare('UPDATE tasks SET lease_owner = ?, lease_expires_at_ms = ? WHERE id = ?').run(before.lease_owner, before.lease_expires_at_ms, taskId);
      sqlite.close();
    }
  }, 120_000);

  it('maps canonical columns by the schemas\' conventions and refuses, naming it, a source column the target has no place for', async () => {
    const target = await openPostgresCopyTarget(await postgres.createDatabase('columns'));
    try {
      await expect(target.checkColumns('jobs', ['id', 'settings_json', 'budget_usd', 'spent_usd'])).resolves.toBeUndefined();
      await expect(target.checkColumns('groups', ['id', 'name', 'colour_json'])).rejects.toThrow(
        /^Column groups\.colour_json of the source has no place in groups of postgres:\/\/.*; the two schemas differ, so run the same imagefleet version on both/,
      );
    } finally {
      await target.close();
    }
  });

  it('with --blobs files copies only the rows; a dry run writes nothing; Ctrl-C stops a run that the next one resumes', async () => {
    const url = await postgres.createDatabase('rows_only');
    const dryRun = await migrate(['--to', url, '--blobs', 'files', '--dry-run', '--json']);
    expect(dryRun.code).toBe(0);
    const planned = JSON.parse(dryRun.stdout) as MigrationJson;
    expect(planned.dry_run).toBe(true);
    expect(planned.tables.find((table) => table.table === 'images')?.source_rows).toBeGreaterThan(0);
    expect(planned.tables.every((table) => table.target_rows === 0)).toBe(true);
    expect(await queryTarget(url, `SELECT to_regclass('imagefleet_store_copy')::text AS name`)).toEqual([{ name: null }]);

    // Ctrl-C stops between two batches with a sentence that says how to continue; the next run resumes.
    const interrupted = await runInProcess(workspace, ['migrate-store', '--to', url, '--blobs', 'files'], { onInterruptReady: (press) => press() });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('imagefleet: Stopped before the copy was finished; run the same command again to continue where it stopped.');

    const copied = await migrate(['--to', url, '--blobs', 'files', '--json']);
    expect(copied.code).toBe(0);
    const report = JSON.parse(copied.stdout) as MigrationJson;
    expect(report.resumed).toBe(true);
    expect(report.blobs).toMatchObject({ mode: 'kept', total: 0, verified: 0 });
    for (const table of report.tables) expect(table.target_rows, table.table).toBe(table.source_rows);
  }, 120_000);
});

/** A real run on the local provider, then a favourite, a group, a test webhook and a web session through the fleet's operations. */
async function fillDataDirectory(workspace: Workspace): Promise<void> {
  await writeFile(path.join(workspace.directory, 'prompts/catalog_b/plage.md'), `${nonAsciiPrompt}\n`);
  await writeFile(path.join(workspace.directory, 'Combos/winter_combo/dark_UI_Combos/c1', nonAsciiReferenceName), await png(200));
  const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--size', '512', '--out', 'out']);
  if (run.code !== 0) throw new Error(`the filling run failed: ${run.stderr}`);

  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: workspace.dataDir }));
  try {
    const [image] = await fleet.store.images.listImages({ limit: 1 });
    if (image === undefined) throw new Error('the filling run made no image');
    await markImage({ imageId: image.id, favorite: true }, fleet);
    await createGroup({ name: 'Été 海' }, fleet);
    await fleet.sendTestWebhook({ url: 'https://hooks.example.com/imagefleet' });
    await startWebSession({ apiToken: 'migrate-store-test-token', userAgent: 'Firefox/131 ü' }, fleet);
    // Money as a priced provider leaves it: REAL sums that are not exact in binary (0.039 × 3).
    const sqliteMoney = new BetterSqlite3(path.join(workspace.dataDir, 'imagefleet.db'));
    sqliteMoney.prepare('UPDATE jobs SET budget_usd = 12.5, spent_usd = 0.039 + 0.039 + 0.039 WHERE id = ?').run(image.jobId);
    sqliteMoney.prepare('UPDATE tasks SET cost_usd = 0.039 WHERE id = ?').run(image.taskId);
    sqliteMoney.close();
    // Padding: enough rows that a one-row-per-transaction copy is still running when the test kills it.
    const sqlite = new BetterSqlite3(path.join(workspace.dataDir, 'imagefleet.db'));
    const insert = sqlite.prepare('INSERT INTO request_log (provider_key, started_at_ms) VALUES (?, ?)');
    sqlite.transaction(() => {
      for (let index = 0; index < 3000; index += 1) insert.run('local', 1_700_000_000_000 + index);
    })();
    sqlite.close();
  } finally {
    await fleet.stop();
  }
}

/** The record with every `…Usd` amount rounded to the micro-dollar. */
function roundMoney<T extends object>(record: T): T {
  const rounded = { ...record } as Record<string, unknown>;
  for (const [name, value] of Object.entries(rounded)) {
    if (name.endsWith('Usd') && typeof value === 'number') rounded[name] = Math.round(value * 1_000_000) / 1_000_000;
  }
  return rounded as unknown as T;
}

function sourceRows<T>(workspace: Workspace, text: string): T[] {
  const sqlite = new BetterSqlite3(path.join(workspace.dataDir, 'imagefleet.db'), { readonly: true });
  try {
    return sqlite.prepare(text).all() as T[];
  } finally {
    sqlite.close();
  }
}

function imageKeys(workspace: Workspace): string[] {
  const sqlite = new BetterSqlite3(path.join(workspace.dataDir, 'imagefleet.db'), { readonly: true });
  try {
    return (sqlite.prepare('SELECT file_key FROM images ORDER BY id').all() as Array<{ file_key: string }>).map((row) => row.file_key);
  } finally {
    sqlite.close();
  }
}

async function readSourceBlob(workspace: Workspace, key: string): Promise<Buffer> {
  return readFile(path.join(workspace.dataDir, 'files', key));
}

async function queryTarget<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(explain());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
