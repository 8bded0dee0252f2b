/**
 * Opens both ends of `imagefleet migrate-store` from its flags: the data directory's SQLite
 * database and files as the source, the Postgres database of `--to` and the S3 location of
 * `--blobs` (credentials and endpoint from the standard AWS_* variables) as the target. The
 * command's flags, not IMAGEFLEET_DATABASE_URL / IMAGEFLEET_BLOB_URL, name the target: the copy
 * runs while the installation still uses the data directory.
 */
import { hostname } from 'node:os';
import { ImagefleetError, isImagefleetError } from '../core/errors.js';
import { isLeaseOwnerGone } from '../core/lease-owner.js';
import { isProcessAlive } from '../platform/is-process-alive.js';
import { systemClock } from '../engine/system-clock.js';
import type { MigrateStoreDependencies } from '../operations/migrate-store.js';
import { FileBlobStore } from '../store/blobs/file-blob-store.js';
import { S3BlobStore } from '../store/blobs/s3-blob-store.js';
import { parseS3Location, type S3Environment } from '../store/blobs/s3-location.js';
import { FileBlobKeyListing } from '../store/blobs/store-copy-file-blob-keys.js';
import { openSqliteCopySource } from '../store/database/store-copy-source.js';
import { openPostgresCopyTarget } from '../store/postgres/store-copy-target.js';

/** `--blobs` value that leaves the blobs in the data directory (the target keeps using the files). */
export const keepBlobsValue = 'files';

export interface OpenStoreCopyOptions {
  /** The source's SQLite database file (`<data-dir>/imagefleet.db`). */
  databasePath: string;
  /** The source's blob root (`<data-dir>/files`). */
  blobsDirectory: string;
  /** `--to`: `postgres://user:password@host:port/database`. */
  targetDatabaseUrl: string;
  /** `--blobs`: `s3://bucket/prefix`, or `files` to leave the blobs where they are. */
  targetBlobs: string;
  /** Where AWS_* are read from (the process environment from the CLI). */
  environment: Record<string, string | undefined>;
}

/** Both ends, ready for `migrateStore`; `close` ends every connection (idempotent). */
export interface OpenedStoreCopy {
  dependencies: MigrateStoreDependencies;
  /** Whether a lease owner is a process of this machine that no longer exists. */
  isOwnerGone: (owner: string) => boolean;
  close(): Promise<void>;
}

/** Checks the flags, then opens source and target; `invalid_input` / `config_invalid` / `storage_unavailable` in one sentence naming the flag. */
export async function openStoreCopy(options: OpenStoreCopyOptions): Promise<OpenedStoreCopy> {
  if (!/^postgres(ql)?:\/\//.test(options.targetDatabaseUrl)) {
    throw new ImagefleetError('invalid_input', '--to must be a PostgreSQL URL such as postgres://user:password@host:5432/imagefleet.');
  }
  const targetBlobs = options.targetBlobs === keepBlobsValue ? undefined : new S3BlobStore(s3LocationOf(options.targetBlobs, options.environment));

  const source = await openSqliteCopySource(options.databasePath);
  let target;
  try {
    target = await openPostgresCopyTarget(options.targetDatabaseUrl);
  } catch (error) {
    await source.close();
    throw renamed(error, 'IMAGEFLEET_DATABASE_URL', '--to');
  }
  const dependencies: MigrateStoreDependencies = {
    source,
    target,
    clock: systemClock,
    ...(targetBlobs === undefined ? {} : { blobs: { keys: new FileBlobKeyListing(options.blobsDirectory), source: new FileBlobStore(options.blobsDirectory), target: targetBlobs } }),
  };
  let closed = false;
  const host = hostname();
  return {
    dependencies,
    isOwnerGone: (owner) => isLeaseOwnerGone(owner, host, isProcessAlive),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([source.close(), target.close()]);
    },
  };
}

function s3LocationOf(blobUrl: string, environment: Record<string, string | undefined>) {
  if (!blobUrl.startsWith('s3://')) {
    throw new ImagefleetError('invalid_input', `--blobs must be s3://bucket/prefix (blobs copied to S3) or "${keepBlobsValue}" (blobs stay in the data directory).`);
  }
  const s3Environment: S3Environment = {
    IMAGEFLEET_BLOB_URL: blobUrl,
    AWS_ACCESS_KEY_ID: environment.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: environment.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: environment.AWS_SESSION_TOKEN,
    AWS_REGION: environment.AWS_REGION,
    AWS_ENDPOINT_URL_S3: environment.AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL: environment.AWS_ENDPOINT_URL,
  };
  try {
    return parseS3Location(s3Environment);
  } catch (error) {
    throw renamed(error, 'IMAGEFLEET_BLOB_URL', '--blobs');
  }
}

/** The same error with the setting's name replaced by the flag that carried its value here. */
function renamed(error: unknown, variable: string, flag: string): unknown {
  if (!isImagefleetError(error) || !error.message.includes(variable)) return error;
  return new ImagefleetError(error.code, error.message.split(variable).join(flag), {
    cause: error,
    issues: error.issues.map((issue) => ({ path: issue.path === variable ? flag : issue.path, message: issue.message.split(variable).join(flag) })),
  });
}

