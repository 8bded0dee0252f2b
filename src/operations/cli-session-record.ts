/**
 * What the CLI session use cases (start, upgrade, retry, cancel; shared by the CLI and the MCP
 * server, decision 0018) need of a session's record: the record's shape and where it is kept. The
 * shells wire `records` to `cli/session/session-records.ts` (files today; the store next).
 */
import { newSessionId } from '../core/session-log.js';
import type { Clock } from '../engine/ports.js';

/** A CLI session's record: what only the CLI needs to pick a session up again from any directory. */
export interface CliSessionRecord {
  version: 1;
  session_id: string;
  /** Null between creating the record and creating the job (a crash there leaves a session that never started). */
  job_id: string | null;
  /** ISO time the session was started. */
  created: string;
  /** Directory the command ran in (relative paths in `config` are relative to it). */
  cwd: string;
  /** Absolute output folder. */
  out: string;
  /** Output layout (a path template). */
  layout: string;
  /** The session this one upgrades, if any. */
  parent_session: string | null;
  /** The settings as given, for the session log and `status`. */
  config: Record<string, unknown>;
}

/** Where session records are kept. */
export interface CliSessionRecords {
  /** The record of this exact session id; undefined when there is none. */
  read(sessionId: string): Promise<CliSessionRecord | undefined>;
  /** Writes (or replaces) the record. */
  write(record: CliSessionRecord): Promise<void>;
  /** Removes the record; nothing happens when there is none. */
  remove(sessionId: string): Promise<void>;
}

/** A session id no record has yet (ids carry the time and a random part, so a clash is rare). */
export async function freshCliSessionId(dependencies: { records: Pick<CliSessionRecords, 'read'>; clock: Pick<Clock, 'now'>; random: () => number }): Promise<string> {
  for (;;) {
    const candidate = newSessionId(dependencies.clock.now(), dependencies.random);
    if (!(await dependencies.records.read(candidate))) return candidate;
  }
}
