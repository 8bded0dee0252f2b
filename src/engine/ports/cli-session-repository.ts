/** CLI session records. A port: adapters in src/store implement it (DESIGN §9: CLI sessions live in the store). */

/**
 * What a CLI session was started with, beyond its job: what only the CLI needs to pick the session
 * up again from any directory. The job itself (tasks, statuses, images) is an ordinary job.
 */
export interface CliSessionRecord {
  /** The session id (`core/session-log.ts` `sessionIdPattern`). */
  sessionId: string;
  /** The session's job; null between writing the record and creating the job (a crash there leaves a session that never started). */
  jobId: string | null;
  /** When the session started, ISO 8601 text as the CLI wrote it (newest-first order sorts this text). */
  createdAt: string;
  /** Directory the command ran in (relative paths in `settings` are relative to it). */
  workingDirectory: string;
  /** Absolute output folder. */
  outputDirectory: string;
  /** Output layout name. */
  layout: string;
  /** The session this one upgrades; null for none. */
  parentSessionId: string | null;
  /** The settings as given, for the session log and `status`. */
  settings: Record<string, unknown>;
}

export interface CliSessionRepository {
  /** Stores `record`, replacing the session's earlier record. */
  saveSession(record: CliSessionRecord, nowMs: number): Promise<void>;
  /** Stores `record` unless the session already has one (importing old files twice is harmless); true when inserted. */
  insertSessionIfAbsent(record: CliSessionRecord, nowMs: number): Promise<boolean>;
  /** The session's record; undefined when there is none. */
  findSession(sessionId: string): Promise<CliSessionRecord | undefined>;
  /** Every record, newest first (by `createdAt`, then `sessionId`, both descending). */
  listSessions(): Promise<CliSessionRecord[]>;
  /** Deletes the session's record; nothing when there is none. */
  removeSession(sessionId: string): Promise<void>;
}
