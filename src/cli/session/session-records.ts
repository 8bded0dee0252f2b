/**
 * Where the CLI keeps what a session was started with: `{dataDir}/cli-sessions/{session_id}.json`.
 * The job (its tasks, statuses, images) lives in the store like every job; this small record adds
 * what only the CLI needs to pick a session up again from any directory: the output folder, the
 * layout and the settings as given. Written atomically; see docs/decisions/0009-cli-sessions.md.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ImagefleetError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { sessionIdPattern } from '../../core/session-log.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { writeFileAtomic } from '../../store/blobs/write-file-atomic.js';

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

export function sessionRecordsDirectory(dataDir: string): string {
  return path.join(dataDir, 'cli-sessions');
}

function recordPath(dataDir: string, sessionId: string): string {
  if (!sessionIdPattern.test(sessionId)) throw new ImagefleetError('internal', `Not a session id: ${JSON.stringify(sessionId)}.`);
  return path.join(sessionRecordsDirectory(dataDir), `${sessionId}.json`);
}

export async function writeSessionRecord(dataDir: string, record: SessionRecord): Promise<void> {
  await writeFileAtomic(recordPath(dataDir, record.session_id), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`), { createDirectories: true });
}

export async function removeSessionRecord(dataDir: string, sessionId: string): Promise<void> {
  await rm(recordPath(dataDir, sessionId), { force: true });
}

export async function readSessionRecord(dataDir: string, sessionId: string): Promise<SessionRecord | undefined> {
  let text: string;
  try {
    text = await readFile(recordPath(dataDir, sessionId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImagefleetError('storage_unavailable', `Cannot read the record of session ${sessionId} in ${sessionRecordsDirectory(dataDir)}: ${(error as Error).message}.`, { cause: error });
  }
  try {
    return sessionRecordSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new ImagefleetError('storage_unavailable', `The record of session ${sessionId} (${recordPath(dataDir, sessionId)}) is damaged; restore it from a backup or start the session again.`, { cause: error });
  }
}

/** Every readable session record, newest first. Damaged ones are skipped. */
export async function listSessionRecords(dataDir: string): Promise<SessionRecord[]> {
  let names: string[];
  try {
    names = await readdir(sessionRecordsDirectory(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: SessionRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const sessionId = name.slice(0, -'.json'.length);
    if (!sessionIdPattern.test(sessionId)) continue;
    try {
      const record = await readSessionRecord(dataDir, sessionId);
      if (record) records.push(record);
    } catch {
      // A damaged record must not hide the others from `sessions`.
    }
  }
  return records.sort((left, right) => (left.created < right.created ? 1 : left.created > right.created ? -1 : left.session_id < right.session_id ? 1 : -1));
}

/**
 * Resolves what the user typed as SESSION: a session id, a unique prefix of one, or the job id;
 * without one, the newest session. Unknown ones are `invalid_input` (exit 2) with the fix.
 */
export async function findSessionRecord(dataDir: string, sessionArgument: string | undefined): Promise<SessionRecord> {
  const records = await listSessionRecords(dataDir);
  if (sessionArgument === undefined) {
    const newest = records[0];
    if (!newest) throw new ImagefleetError('invalid_input', `There is no session in ${dataDir} yet; start one with "imagefleet run".`);
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
  throw new ImagefleetError('invalid_input', `No session "${wanted}" in ${dataDir}; list the sessions with "imagefleet sessions" (or point --data-dir at the right data directory).`);
}

/** The session's job in the store; `invalid_input` when the session never got one. */
export async function findSessionJob(fleet: Fleet, record: SessionRecord): Promise<Job> {
  const job = await lookUpJob(fleet, record);
  if (!job) {
    throw new ImagefleetError('invalid_input', `Session ${record.session_id} was never submitted (its run stopped before the job was created); start it again with "imagefleet run".`);
  }
  return job;
}

async function lookUpJob(fleet: Fleet, record: SessionRecord): Promise<Job | undefined> {
  if (record.job_id !== null) {
    const job = await fleet.store.jobs.getJob(record.job_id);
    if (job) return job;
  }
  // The record is written before the job; the job carries the session id as its name.
  const jobs = await fleet.store.jobs.listJobs({});
  return jobs.find((job) => job.mode === 'cli' && job.name === record.session_id);
}
