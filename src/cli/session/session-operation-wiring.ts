/**
 * Wires the fleet into the CLI session operations (`src/operations/*-cli-session.ts`), for the
 * CLI commands and the MCP tools alike: the only place they meet the fleet's parts. Session records
 * go through `session-records.ts` (files in the data directory today).
 */
import type { Fleet } from '../../fleet/create-fleet.js';
import type { CliSessionRecords } from '../../operations/cli-session-record.js';
import { readSessionRecord, removeSessionRecord, writeSessionRecord } from './session-records.js';

/** The session records of the fleet's data directory. */
export function sessionRecordsOf(fleet: Pick<Fleet, 'config'>): CliSessionRecords {
  const { dataDir } = fleet.config;
  return {
    read: (sessionId) => readSessionRecord(dataDir, sessionId),
    write: (record) => writeSessionRecord(dataDir, record),
    remove: (sessionId) => removeSessionRecord(dataDir, sessionId),
  };
}

/**
 * What every CLI session operation may need, from one fleet: the fleet itself (it satisfies
 * `OperationDependencies`: store, engine, clock, submitJob, …) plus the session records and a
 * random source. The shell hands the store to the operations, it never uses it.
 */
export function sessionOperationDependencies(fleet: Fleet) {
  return {
    ...fleet,
    records: sessionRecordsOf(fleet),
    random: Math.random,
  };
}
