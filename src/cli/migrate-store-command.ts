/**
 * `imagefleet migrate-store --to postgres://… --blobs s3://…|files [--dry-run] [--json]`: copies
 * the data directory's SQLite database and files to Postgres (+ S3), resumably, and verifies the
 * copy (docs/deployment.md, docs/decisions/0042). Progress goes to stderr (a live bar in a
 * terminal, plain lines elsewhere); the summary, or JSON with `--json`, to stdout.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { isImagefleetError } from '../core/errors.js';
import { keepBlobsValue, openStoreCopy } from '../fleet/open-store-copy.js';
import { migrateStore, type MigrateStoreProgress, type MigrateStoreResult } from '../operations/migrate-store.js';
import { cliIo, globalConfigFlags, type CliContext, type CliWritable, type CommandRegistration } from './cli-context.js';
import { CliExit, exitCodes } from './handle-cli-error.js';
import { usage } from './session/generation-options.js';

interface MigrateStoreFlags {
  to?: string;
  blobs?: string;
  dryRun?: boolean;
  json?: boolean;
  batchRows?: string;
}

/** Plain progress lines at most this often per phase, in ms. */
const plainProgressEveryMs = 1000;

export const registerMigrateStoreCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('migrate-store')
    .description('copy this data directory (SQLite + files) to PostgreSQL and S3; resumable and verified')
    .option('--to <url>', 'target PostgreSQL database: postgres://user:password@host:5432/name (empty, or a copy of this data directory)')
    .option('--blobs <where>', `target blob store: s3://bucket/prefix (AWS_* variables give keys and endpoint), or "${keepBlobsValue}" to leave the files where they are`)
    .option('--batch-rows <count>', 'rows per transaction on the target (default 500)')
    .option('--dry-run', 'check both ends and count what would be copied; write nothing')
    .option('--json', 'print machine-readable JSON on stdout')
    .addHelpText(
      'after',
      '\nStop every serve, worker and run on the data directory first. A killed run continues when run again.\n\nExamples:\n  AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… imagefleet migrate-store --data-dir ./data --to postgres://imagefleet@db/imagefleet --blobs s3://my-bucket/imagefleet\n  imagefleet migrate-store --to postgres://imagefleet@localhost/imagefleet --blobs files --dry-run',
    )
    .action(async (flags: MigrateStoreFlags, command: Command) => {
      const io = cliIo(context);
      if (flags.to === undefined || flags.to === '') throw usage('--to is required: the PostgreSQL database to copy into, e.g. --to postgres://imagefleet@localhost/imagefleet.');
      if (flags.blobs === undefined || flags.blobs === '') {
        throw usage(`--blobs is required: s3://bucket/prefix to copy the images to S3, or --blobs ${keepBlobsValue} to leave them in the data directory.`);
      }
      const batchRows = flags.batchRows === undefined ? undefined : Number(flags.batchRows);
      if (batchRows !== undefined && (!Number.isSafeInteger(batchRows) || batchRows < 1)) throw usage(`--batch-rows must be a whole number from 1 up; it was "${flags.batchRows}".`);
      const config = loadConfig(context.environment, globalConfigFlags(command, context));
      const opened = await openStoreCopy({
        databasePath: config.databasePath,
        blobsDirectory: config.blobsDir,
        targetDatabaseUrl: flags.to,
        targetBlobs: flags.blobs,
        environment: context.environment,
      });
      const display = createMigrationDisplay(io.stderr);
      const stop = new AbortController();
      const unsubscribe = io.interrupts(() => stop.abort());
      try {
        const result = await migrateStore(
          { dryRun: flags.dryRun === true, isOwnerGone: opened.isOwnerGone, onProgress: (progress) => display.update(progress), signal: stop.signal, ...(batchRows === undefined ? {} : { batchRows }) },
          opened.dependencies,
        );
        display.stop();
        if (flags.json === true) io.stdout.write(`${JSON.stringify(resultJson(result), null, 2)}\n`);
        else io.stdout.write(`${summaryLines(result).join('\n')}\n`);
      } catch (error) {
        display.stop();
        if (!isImagefleetError(error) || error.code !== 'canceled') throw error;
        io.stderr.write(`imagefleet: ${error.message}\n`);
        throw new CliExit(exitCodes.interrupted);
      } finally {
        unsubscribe();
        display.stop();
        await opened.close();
      }
    });
};

/** The result for scripts, snake_case like every other `--json`. */
function resultJson(result: MigrateStoreResult): unknown {
  return {
    dry_run: result.dryRun,
    source: result.source,
    target: result.target,
    schema_version: result.schemaVersion,
    resumed: result.resumed,
    verified: !result.dryRun,
    tables: result.tables.map((table) => ({ table: table.table, source_rows: table.sourceRows, target_rows: table.targetRows, copied_rows: table.copiedRows })),
    blobs: {
      mode: result.blobs.mode,
      total: result.blobs.total,
      copied: result.blobs.copied,
      skipped: result.blobs.skipped,
      copied_bytes: result.blobs.copiedBytes,
      verified: result.blobs.verified,
      damaged_in_source: result.blobs.damagedInSource,
    },
  };
}

function summaryLines(result: MigrateStoreResult): string[] {
  const width = Math.max(...result.tables.map((table) => table.table.length));
  const lines = [`${result.dryRun ? 'Would copy' : result.resumed ? 'Resumed the copy of' : 'Copied'} ${result.source} → ${result.target} (schema ${result.schemaVersion}):`];
  for (const table of result.tables) {
    const detail = result.dryRun ? `${table.sourceRows} rows (${table.targetRows} already in the target)` : `${table.sourceRows} rows (${table.copiedRows} by this run)`;
    lines.push(`  ${table.table.padEnd(width)}  ${detail}`);
  }
  const { blobs } = result;
  if (blobs.mode === 'kept') lines.push(`  blobs: left in the data directory (--blobs ${keepBlobsValue}).`);
  else if (result.dryRun) lines.push(`  blobs: ${blobs.total} to copy or check.`);
  else lines.push(`  blobs: ${blobs.copied} copied (${formatBytes(blobs.copiedBytes)}), ${blobs.skipped} already there; ${blobs.verified} of ${blobs.total} verified by SHA-256.`);
  for (const key of blobs.damagedInSource) lines.push(`  warning: ${key} was already damaged in the source (its bytes do not match the SHA-256 in its name); it was copied as it is.`);
  if (result.dryRun) lines.push('Dry run: nothing was written.');
  else lines.push(`Verified: every table has as many rows in the target as in the source${blobs.mode === 'copied' ? ', and every blob the same bytes' : ''}.`);
  return lines;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

interface MigrationDisplay {
  update(progress: MigrateStoreProgress): void;
  /** Idempotent. */
  stop(): void;
}

/** A live bar per phase on a terminal; elsewhere a plain line per phase change and at most one a second. */
function createMigrationDisplay(stream: CliWritable): MigrationDisplay {
  if (stream.isTTY === true) return liveDisplay(stream);
  let lastPhase = '';
  let lastPrintAtMs = 0;
  return {
    update(progress) {
      const now = Date.now();
      if (progress.phase === lastPhase && now - lastPrintAtMs < plainProgressEveryMs && !isPhaseEnd(progress)) return;
      lastPhase = progress.phase;
      lastPrintAtMs = now;
      stream.write(`migrate-store: ${describeProgress(progress)}\n`);
    },
    stop: () => undefined,
  };
}

function liveDisplay(stream: CliWritable): MigrationDisplay {
  let bar: SingleBar | undefined;
  let phase = '';
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(progress) {
      if (progress.phase !== phase) {
        stop();
        phase = progress.phase;
        // cli-progress writes escape codes through readline, which needs only `write`.
        bar = new SingleBar({ stream: stream as unknown as NodeJS.WritableStream, format: ' {bar} {percentage}% │ {detail}', hideCursor: true, barsize: 28, fps: 5, barCompleteChar: '█', barIncompleteChar: '░' });
        bar.start(1, 0, { detail: '' });
      }
      const [done, total] = progress.phase === 'rows' ? [progress.copiedRows, progress.totalRows] : [progress.doneBlobs, progress.totalBlobs];
      bar?.setTotal(Math.max(1, total));
      bar?.update(done, { detail: describeProgress(progress) });
    },
    stop,
  };
}

function isPhaseEnd(progress: MigrateStoreProgress): boolean {
  return progress.phase === 'rows' ? progress.copiedRows === progress.totalRows : progress.doneBlobs === progress.totalBlobs;
}

function describeProgress(progress: MigrateStoreProgress): string {
  switch (progress.phase) {
    case 'rows':
      return `rows ${progress.copiedRows}/${progress.totalRows} (${progress.table})`;
    case 'blobs':
      return `blobs ${progress.doneBlobs}/${progress.totalBlobs} (${formatBytes(progress.copiedBytes)} written)`;
    case 'verify':
      return `verified ${progress.doneBlobs}/${progress.totalBlobs} blobs`;
  }
}
