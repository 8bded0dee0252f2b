/**
 * What a CLI session was started with: the output folder, the layout and the settings as given,
 * which only the CLI needs to pick a session up again from any directory. The job (its tasks,
 * statuses, images) lives in the store like every job, and since issue 16 so does this record
 * (`CliSessionRepository`, DESIGN §9); these functions reach the CONFIGURED store — the data
 * directory's SQLite file, or the shared Postgres database — so every machine sharing the database
 * sees every session (docs/decisions/0009-cli-sessions.md, 0034 and 0041).
 *
 * Records of older versions (`{dataDir}/cli-sessions/{session_id}.json`) are imported on first
 * use: each file is inserted unless the store already has that session, then renamed
 * `….json.migrated`. Insert-then-rename makes a crash in between harmless (the next import finds
 * the row and only renames), and two processes importing at once insert once.
 */
import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ImagefleetError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { sessionIdPattern } from '../../core/session-log.js';
import type { CliSessionRecord, CliSessionRepository, Store } from '../../engine/ports.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { describeStoreLocation, withConfiguredStore, type StoreLocation } from '../../fleet/configured-store-access.js';
import { findCliSessionJob } from '../../operations/find-cli-session-job.js';

const sessionRecordSchema = z.object({
  version: z.literal(1),
  session_id: z.string().regex(sessionIdPattern),
  /** Null between creating the record and creating the job (a crash there leaves a session that never started). */
  job_id: z.string().nullable(),
  /** ISO time. */
  created: z.string(),
  /** Directory the command ran in (relative paths in `config` are relative to it). */
  cwd: z.string(),
  /** Absolute output folder. */
  out: z.string(),
  layout: z.string(),
  /** The session this one upgrades, if any. */
  parent_session: z.string().nullable(),
  /** The settings as given, for the session log and `status`. */
  config: z.record(z.string(), z.unknown()),
});

export type SessionRecord = z.output<typeof sessionRecordSchema>;

/** Where the records are: the configured store (`config.store`) and the data directory old record files may be in. */
export type SessionRecordsLocation = StoreLocation;

/** Where versions before issue 16 kept the records (imported from there on first use). */
export function sessionRecordsDirectory(dataDir: string): string {
  return path.join(dataDir, 'cli-sessions');
}

/** Suffix an imported record file is renamed with (kept as a backup; never read again). */
export const migratedRecordSuffix = '.migrated';

function checkSessionId(sessionId: string): void {
  if (!sessionIdPattern.test(sessionId)) throw new ImagefleetError('internal', `Not a session id: ${JSON.stringify(sessionId)}.`);
}

export async function writeSessionRecord(location: SessionRecordsLocation, record: SessionRecord): Promise<void> {
  checkSessionId(record.session_id);
  await withCliSessions(location, (sessions) => sessions.saveSession(toStoredRecord(sessionRecordSchema.parse(record)), Date.now()));
}

export async function removeSessionRecord(location: SessionRecordsLocation, sessionId: string): Promise<void> {
  checkSessionId(sessionId);
  await withCliSessions(location, (sessions) => sessions.removeSession(sessionId), { ifExists: true });
}

export async function readSessionRecord(location: SessionRecordsLocation, sessionId: string): Promise<SessionRecord | undefined> {
  checkSessionId(sessionId);
  const stored = await withCliSessions(location, (sessions) => sessions.findSession(sessionId), { ifExists: true });
  return stored === undefined ? undefined : fromStoredRecord(stored);
}

/** Every session record, newest first. */
export async function listSessionRecords(location: SessionRecordsLocation): Promise<SessionRecord[]> {
  const stored = await withCliSessions(location, (sessions) => sessions.listSessions(), { ifExists: true });
  return (stored ?? []).map(fromStoredRecord);
}

/** Where the records are, for messages: the data directory (SQLite) or the database (Postgres, no password). */
export function describeSessionRecordsLocation(location: SessionRecordsLocation): string {
  return describeStoreLocation(location);
}

/** Stores already checked for old record files in this process. */
const importedStores = new WeakSet<Store>();

/**
 * Runs `use` on the data directory's session records, importing old record files first. With
 * `ifExists`, a data directory without a database (nothing was ever started there) is not
 * created: `use` is not run and the result is undefined.
 */
function withCliSessions<T>(location: SessionRecordsLocation, use: (sessions: CliSessionRepository) => Promise<T>, options: { ifExists: true }): Promise<T | undefined>;
function withCliSessions<T>(location: SessionRecordsLocation, use: (sessions: CliSessionRepository) => Promise<T>): Promise<T>;
async function withCliSessions<T>(location: SessionRecordsLocation, use: (sessions: CliSessionRepository) => Promise<T>, options?: { ifExists: true }): Promise<T | undefined> {
  const run = async (store: Store): Promise<T> => {
    if (!importedStores.has(store)) {
      await importLegacySessionRecords(location.dataDir, store.cliSessions);
      importedStores.add(store);
    }
    return use(store.cliSessions);
  };
  return options === undefined ? withConfiguredStore(location, run) : withConfiguredStore(location, run, options);
}

/**
 * Imports `{dataDir}/cli-sessions/*.json` into `sessions` (idempotent, crash-safe: see the file
 * comment). A damaged file is left where it is, as before it was skipped by listings; returns how
 * many records were inserted.
 */
export async function importLegacySessionRecords(dataDir: string, sessions: CliSessionRepository, nowMs = Date.now()): Promise<number> {
  const directory = sessionRecordsDirectory(dataDir);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return 0;
    throw new ImagefleetError('storage_unavailable', `Cannot read the old session records in ${directory}: ${(error as Error).message}.`, { cause: error });
  }
  let inserted = 0;
  for (const name of names) {
    if (!name.endsWith('.json') || !sessionIdPattern.test(name.slice(0, -'.json'.length))) continue;
    const file = path.join(directory, name);
    let record: SessionRecord;
    try {
      record = sessionRecordSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch {
      continue;
    }
    if (await sessions.insertSessionIfAbsent(toStoredRecord(record), nowMs)) inserted += 1;
    try {
      await rename(file, `${file}${migratedRecordSuffix}`);
    } catch (error) {
      // Another process importing at the same time renamed it first.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return inserted;
}

function toStoredRecord(record: SessionRecord): CliSessionRecord {
  return {
    sessionId: record.session_id,
    jobId: record.job_id,
    createdAt: record.created,
    workingDirectory: record.cwd,
    outputDirectory: record.out,
    layout: record.layout,
    parentSessionId: record.parent_session,
    settings: record.config,
  };
}

function fromStoredRecord(record: CliSessionRecord): SessionRecord {
  return {
    version: 1,
    session_id: record.sessionId,
    job_id: record.jobId,
    created: record.createdAt,
    cwd: record.workingDirectory,
    out: record.outputDirectory,
    layout: record.layout,
    parent_session: record.parentSessionId,
    config: record.settings,
  };
}

/**
 * Resolves what the user typed as SESSION: a session id, a unique prefix of one, or the job id;
 * without one, the newest session. Unknown ones are `invalid_input` (exit 2) with the fix.
 */
export async function findSessionRecord(location: SessionRecordsLocation, sessionArgument: string | undefined): Promise<SessionRecord> {
  const records = await listSessionRecords(location);
  if (sessionArgument === undefined) {
    const newest = records[0];
    if (!newest) throw new ImagefleetError('invalid_input', `There is no session in ${describeStoreLocation(location)} yet; start one with "imagefleet run".`);
    return newest;
  }
  const wanted = sessionArgument.trim();
  const exact = records.find((candidate) => candidate.session_id === wanted || candidate.job_id === wanted);
  if (exact) return exact;
  const byPrefix = wanted === '' ? [] : records.filter((candidate) => candidate.session_id.startsWith(wanted));
  if (byPrefix.length > 1) {
    throw new ImagefleetError('invalid_input', `"${wanted}" matches ${byPrefix.length} sessions (${byPrefix.slice(0, 3).map((candidate) => candidate.session_id).join(', ')}…); type more of the id.`);
  }
  if (byPrefix[0]) return byPrefix[0];
  throw new ImagefleetError('invalid_input', `No session "${wanted}" in ${describeStoreLocation(location)}; list the sessions with "imagefleet sessions" (or point ${location.store.kind === 'sqlite' ? '--data-dir at the right data directory' : 'IMAGEFLEET_DATABASE_URL at the right database'}).`);
}

/** The session's job in the store; `invalid_input` when the session never got one. */
export async function findSessionJob(fleet: Fleet, record: SessionRecord): Promise<Job> {
  const job = await findCliSessionJob({ sessionId: record.session_id, jobId: record.job_id }, fleet);
  if (!job) {
    throw new ImagefleetError('invalid_input', `Session ${record.session_id} was never submitted (its run stopped before the job was created); start it again with "imagefleet run".`);
  }
  return job;
}
