/**
 * Moves an installation's store to another (issue 17: SQLite + files → Postgres + S3): every table
 * of `copiedTables`, in order, in batches that each commit with their progress, then every blob;
 * then proves the copy (rows per table equal, every blob's SHA-256 equal on both sides) and moves
 * the target's sequences past the copied ids. A run killed at any moment is resumed by running it
 * again; it refuses to mix two sources, to write into a database holding other data, and to copy
 * an installation that is still in use (docs/decisions/0042).
 */
import { createHash } from 'node:crypto';
import { ImagefleetError } from '../core/errors.js';
import type { BlobKeyListing, BlobStore, Clock, StoreCopySource, StoreCopyTarget, TableCopyProgress } from '../engine/ports.js';
import { copiedTables } from './migrate-store-tables.js';

/** Rows per batch (one target transaction each) when the caller does not say. */
export const defaultBatchRows = 500;
/** Blobs copied or hashed at the same time: remote stores answer one request at a time slowly. */
const blobConcurrency = 4;

/** Where the blobs go. */
export interface MigrateStoreBlobs {
  /** Every key the source holds. */
  keys: BlobKeyListing;
  source: BlobStore;
  target: BlobStore;
}

export interface MigrateStoreDependencies {
  source: StoreCopySource;
  target: StoreCopyTarget;
  /** The blobs to copy; absent when they stay where they are (the target keeps using the files). */
  blobs?: MigrateStoreBlobs;
  clock: Clock;
}

/** One step of progress, for a display. */
export type MigrateStoreProgress =
  | {
      phase: 'rows';
      table: string;
      /** Rows of all tables in the target so far, including earlier runs'. */
      copiedRows: number;
      /** Rows of all tables in the source. */
      totalRows: number;
    }
  | { phase: 'blobs'; doneBlobs: number; totalBlobs: number; copiedBytes: number }
  | { phase: 'verify'; doneBlobs: number; totalBlobs: number };

export interface MigrateStoreInput {
  /** Check and count only; write nothing. Default false. */
  dryRun?: boolean;
  /** Rows per batch (one transaction on the target each); default `defaultBatchRows`. */
  batchRows?: number;
  /** Whether the process named by a lease owner (`host:pid:random`) is known to be gone (its leases do not count as use). */
  isOwnerGone: (owner: string) => boolean;
  onProgress?: (progress: MigrateStoreProgress) => void;
  /** Stops the copy between two batches or blobs (Ctrl-C); what was committed stays, for the next run. */
  signal?: AbortSignal;
}

/** One table's figures. */
export interface CopiedTable {
  table: string;
  sourceRows: number;
  /** Rows in the target after the run (on a dry run: before it). */
  targetRows: number;
  /** Rows this run wrote. */
  copiedRows: number;
}

export interface MigrateStoreResult {
  dryRun: boolean;
  source: string;
  target: string;
  schemaVersion: string;
  /** An earlier run had started this copy. */
  resumed: boolean;
  tables: CopiedTable[];
  blobs: {
    /** `copied`: to the target blob store; `kept`: left where they are. */
    mode: 'copied' | 'kept';
    total: number;
    /** Written by this run. */
    copied: number;
    /** Already in the target with the right size (an earlier run's), not written again. */
    skipped: number;
    /** Bytes written by this run. */
    copiedBytes: number;
    /** Checked by SHA-256 on both sides. */
    verified: number;
    /**
     * Content-addressed blobs (references, `assets/…/<sha256>.<ext>`) whose source bytes no longer
     * hash to their name: damaged before the move, copied as they are. Empty when all are sound.
     */
    damagedInSource: string[];
  };
}

/** Copies, resumes or (dry run) checks; throws `conflict` for a refusal and `storage_unavailable` when verification fails, naming the table or blob. */
export async function migrateStore(input: MigrateStoreInput, dependencies: MigrateStoreDependencies): Promise<MigrateStoreResult> {
  const { source, target, blobs, clock } = dependencies;
  const throwIfStopped = (): void => {
    if (input.signal?.aborted === true) throw new ImagefleetError('canceled', 'Stopped before the copy was finished; run the same command again to continue where it stopped.');
  };
  const dryRun = input.dryRun === true;
  const batchRows = input.batchRows ?? defaultBatchRows;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new ImagefleetError('invalid_input', `The batch size must be a whole number of rows from 1 up; it was ${batchRows}.`);

  const schemaVersion = await checkSchemas(source, target);
  for (const table of copiedTables) await target.checkColumns(table, await source.columns(table));
  await checkNotInUse(source, input.isOwnerGone, clock.now());
  const fingerprint = await source.fingerprint();
  const marker = await target.readMarker();
  const sourceCounts = new Map<string, number>();
  for (const table of copiedTables) sourceCounts.set(table, await source.count(table));
  if (marker === undefined) {
    await checkTargetEmpty(target, source.description);
  } else {
    if (marker.sourceFingerprint !== fingerprint) {
      throw new ImagefleetError(
        'conflict',
        `The database ${target.description} is being filled from another installation (${marker.sourceDescription}); finish that move, or point --to at an empty database.`,
      );
    }
    if (marker.schemaVersion !== schemaVersion) {
      throw new ImagefleetError(
        'conflict',
        `The copy into ${target.description} was started at schema version ${marker.schemaVersion} and both sides are now at ${schemaVersion}; drop and re-create the target database, then run migrate-store again.`,
      );
    }
  }
  const keys = blobs === undefined ? [] : await collect(blobs.keys.listKeys());
  const progressByTable = new Map((await target.progress()).map((progress) => [progress.table, progress]));

  if (dryRun) {
    const tables: CopiedTable[] = [];
    for (const table of copiedTables) tables.push({ table, sourceRows: sourceCounts.get(table) ?? 0, targetRows: await target.count(table), copiedRows: 0 });
    return {
      dryRun,
      source: source.description,
      target: target.description,
      schemaVersion,
      resumed: marker !== undefined,
      tables,
      blobs: { mode: blobs === undefined ? 'kept' : 'copied', total: keys.length, copied: 0, skipped: 0, copiedBytes: 0, verified: 0, damagedInSource: [] },
    };
  }

  if (marker === undefined) {
    await target.writeMarker({ sourceFingerprint: fingerprint, sourceDescription: source.description, schemaVersion, startedAtMs: clock.now(), verifiedAtMs: null });
  }
  const run: CopyRun = { input, dependencies, batchRows, throwIfStopped };
  const copiedThisRun = await copyRows(run, sourceCounts, progressByTable);
  await target.advanceSequences();
  const blobFigures: BlobFigures = { mode: blobs === undefined ? 'kept' : 'copied', total: keys.length, copied: 0, skipped: 0, copiedBytes: 0, verified: 0, damagedInSource: [] };
  if (blobs !== undefined) await copyBlobs(run, blobs, keys, blobFigures);
  const tables = await verifyCounts(source, target, copiedThisRun);
  if (blobs !== undefined) await verifyBlobs(run, blobs, keys, blobFigures);
  const finalMarker = await target.readMarker();
  if (finalMarker !== undefined) await target.writeMarker({ ...finalMarker, verifiedAtMs: clock.now() });
  return { dryRun, source: source.description, target: target.description, schemaVersion, resumed: marker !== undefined, tables, blobs: blobFigures };
}

/** What the phases of one run share. */
interface CopyRun {
  input: MigrateStoreInput;
  dependencies: MigrateStoreDependencies;
  batchRows: number;
  throwIfStopped: () => void;
}

type BlobFigures = MigrateStoreResult['blobs'];

/** Copies every table from where its progress says, batch by batch; the rows this run wrote, by table. */
async function copyRows(run: CopyRun, sourceCounts: Map<string, number>, progressByTable: Map<string, TableCopyProgress>): Promise<Map<string, number>> {
  const { source, target } = run.dependencies;
  const totalRows = [...sourceCounts.values()].reduce((sum, count) => sum + count, 0);
  let copiedRowsAll = [...progressByTable.values()].reduce((sum, progress) => sum + progress.copiedRows, 0);
  const copiedThisRun = new Map<string, number>();
  for (const table of copiedTables) {
    let progress: TableCopyProgress = progressByTable.get(table) ?? { table, afterKey: 0, copiedRows: 0, complete: false };
    let written = 0;
    while (!progress.complete) {
      run.throwIfStopped();
      const batch = await source.readBatch(table, progress.afterKey, run.batchRows);
      // A short batch is the last; a full one may be too, and the next (empty) read says so.
      progress = { table, afterKey: batch.lastKey, copiedRows: progress.copiedRows + batch.rows.length, complete: batch.rows.length < run.batchRows };
      await target.writeBatch(table, batch.rows, progress);
      written += batch.rows.length;
      copiedRowsAll += batch.rows.length;
      run.input.onProgress?.({ phase: 'rows', table, copiedRows: copiedRowsAll, totalRows });
    }
    copiedThisRun.set(table, written);
  }
  return copiedThisRun;
}

async function copyBlobs(run: CopyRun, blobs: MigrateStoreBlobs, keys: readonly string[], figures: BlobFigures): Promise<void> {
  let done = 0;
  await forEachConcurrently(keys, blobConcurrency, async (key) => {
    run.throwIfStopped();
    const copiedBytes = await copyBlob(key, blobs);
    if (copiedBytes === undefined) figures.skipped += 1;
    else {
      figures.copied += 1;
      figures.copiedBytes += copiedBytes;
    }
    done += 1;
    run.input.onProgress?.({ phase: 'blobs', doneBlobs: done, totalBlobs: keys.length, copiedBytes: figures.copiedBytes });
  });
}

/** Rows per table equal on both sides, or `storage_unavailable` naming the table. */
async function verifyCounts(source: StoreCopySource, target: StoreCopyTarget, copiedThisRun: Map<string, number>): Promise<CopiedTable[]> {
  const tables: CopiedTable[] = [];
  for (const table of copiedTables) {
    const sourceRows = await source.count(table);
    const targetRows = await target.count(table);
    if (sourceRows !== targetRows) {
      throw new ImagefleetError(
        'storage_unavailable',
        `Verification failed: table ${table} has ${sourceRows} rows in ${source.description} but ${targetRows} in ${target.description}; one of them changed after the copy (stop every imagefleet process on the source and start none on the target before the copy is verified), so drop and re-create the target database and run migrate-store again.`,
      );
    }
    tables.push({ table, sourceRows, targetRows, copiedRows: copiedThisRun.get(table) ?? 0 });
  }
  return tables;
}

async function verifyBlobs(run: CopyRun, blobs: MigrateStoreBlobs, keys: readonly string[], figures: BlobFigures): Promise<void> {
  let done = 0;
  await forEachConcurrently(keys, blobConcurrency, async (key) => {
    run.throwIfStopped();
    const sourceHash = await verifyBlob(key, blobs, run.dependencies.target.description);
    const address = contentAddressOf(key);
    if (sourceHash !== undefined && address !== undefined && address !== sourceHash) figures.damagedInSource.push(key);
    figures.verified += 1;
    done += 1;
    run.input.onProgress?.({ phase: 'verify', doneBlobs: done, totalBlobs: keys.length });
  });
  figures.damagedInSource.sort();
}

async function checkSchemas(source: StoreCopySource, target: StoreCopyTarget): Promise<string> {
  const sourceVersion = await source.schemaVersion();
  const targetVersion = await target.schemaVersion();
  if (sourceVersion !== targetVersion) {
    throw new ImagefleetError(
      'conflict',
      `The source ${source.description} is at schema version ${sourceVersion} but the target ${target.description} is at ${targetVersion}; run the same imagefleet version on both (each upgrades its database when opened), then run migrate-store again.`,
    );
  }
  const listed = new Set(copiedTables);
  const unlisted = (await source.tables()).filter((table) => !listed.has(table));
  if (unlisted.length > 0) {
    throw new ImagefleetError('internal', `The source has table(s) ${unlisted.join(', ')} that migrate-store does not know how to copy (src/operations/migrate-store-tables.ts); this is a bug, so report it.`);
  }
  const targetTables = await target.tables();
  const missing = copiedTables.filter((table) => !targetTables.includes(table));
  if (missing.length > 0) {
    throw new ImagefleetError('conflict', `The target ${target.description} has no table(s) ${missing.join(', ')}; run the same imagefleet version on both sides, then run migrate-store again.`);
  }
  const uncopied = targetTables.filter((table) => !listed.has(table));
  if (uncopied.length > 0) {
    throw new ImagefleetError('internal', `The target has table(s) ${uncopied.join(', ')} that migrate-store does not know how to fill (src/operations/migrate-store-tables.ts); this is a bug, so report it.`);
  }
  return sourceVersion;
}

async function checkNotInUse(source: StoreCopySource, isOwnerGone: (owner: string) => boolean, nowMs: number): Promise<void> {
  const live = (await source.leases()).filter((lease) => lease.expiresAtMs > nowMs && (lease.owner === undefined || !isOwnerGone(lease.owner)));
  if (live.length === 0) return;
  const owners = [...new Set(live.map((lease) => lease.owner).filter((owner): owner is string => owner !== undefined))];
  const holders = owners.length > 0 ? ` (held by ${owners.join(', ')})` : '';
  throw new ImagefleetError(
    'conflict',
    `The installation ${source.description} is in use: ${live.length} lease(s) are live${holders}; stop every imagefleet serve, worker and run on it, then run migrate-store again.`,
  );
}

async function checkTargetEmpty(target: StoreCopyTarget, sourceDescription: string): Promise<void> {
  for (const table of copiedTables) {
    const rows = await target.count(table);
    if (rows > 0) {
      throw new ImagefleetError(
        'conflict',
        `The database ${target.description} already holds imagefleet data (${rows} row(s) in ${table}) that is not a copy of ${sourceDescription}; point --to at an empty database.`,
      );
    }
  }
}

/** Copies one blob unless the target has it at the right size already; the bytes written, or undefined when skipped. */
async function copyBlob(key: string, blobs: MigrateStoreBlobs): Promise<number | undefined> {
  const [sourceStat, targetStat] = await Promise.all([blobs.source.stat(key), blobs.target.stat(key)]);
  if (sourceStat === undefined) return undefined; // Removed while listing (a job deleted): nothing refers to it any more.
  if (targetStat !== undefined && targetStat.byteSize === sourceStat.byteSize) return undefined;
  const read = await blobs.source.get(key);
  await blobs.target.put(key, read.stream, { contentType: contentTypeOf(key) });
  return read.byteSize;
}

/** Target bytes equal to the source's, or `storage_unavailable` naming the key; the source's SHA-256 (undefined when the source no longer has it). */
async function verifyBlob(key: string, blobs: MigrateStoreBlobs, targetDescription: string): Promise<string | undefined> {
  const sourceHash = await hashOf(blobs.source, key);
  if (sourceHash === undefined) return undefined;
  const targetHash = await hashOf(blobs.target, key);
  if (targetHash === undefined) {
    throw new ImagefleetError('storage_unavailable', `Verification failed: blob ${key} is missing from the target blob store; run migrate-store again to copy it.`);
  }
  if (targetHash !== sourceHash) {
    throw new ImagefleetError(
      'storage_unavailable',
      `Verification failed: blob ${key} differs in the target blob store (SHA-256 ${targetHash.slice(0, 12)}… instead of ${sourceHash.slice(0, 12)}…); delete it from the target and run migrate-store again (the database ${targetDescription} is kept).`,
    );
  }
  return sourceHash;
}

/** Reference images are stored under the SHA-256 of their bytes (core/blob-keys.ts `assetBlobKey`). */
const assetKeyPattern = /^assets\/[0-9a-f]{2}\/([0-9a-f]{64})\.[a-z0-9]+$/;

/** The SHA-256 a content-addressed key names; undefined for other keys (outputs are named by task). */
function contentAddressOf(key: string): string | undefined {
  return assetKeyPattern.exec(key)?.[1];
}

/** SHA-256 of a blob, streamed (never the whole blob in memory); undefined when it does not exist. */
async function hashOf(store: BlobStore, key: string): Promise<string | undefined> {
  if ((await store.stat(key)) === undefined) return undefined;
  const read = await store.get(key);
  const hash = createHash('sha256');
  for await (const chunk of read.stream) hash.update(chunk);
  return hash.digest('hex');
}

const mediaTypeByExtension: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

function contentTypeOf(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return mediaTypeByExtension[extension] ?? 'application/octet-stream';
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Runs `work` on every item, at most `concurrency` at a time; the first failure stops new work and is thrown. */
async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, () => lane());
  const results = await Promise.allSettled(lanes);
  const rejection = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejection !== undefined) throw rejection.reason;
}
