/**
 * Wires the fleet into the CLI session operations (`src/operations/*-cli-session.ts`), for the
 * CLI commands and the MCP tools alike: the only place they meet the fleet's parts. Session records
 * go through `session-records.ts` (the configured store).
 */
import type { Fleet } from '../../fleet/create-fleet.js';
import type { CliSessionRecords } from '../../operations/cli-session-record.js';
import { readSessionRecord, removeSessionRecord, writeSessionRecord } from './session-records.js';

/** The session records of the fleet's configured store. */
export function sessionRecordsOf(fleet: Pick<Fleet, 'config'>): CliSessionRecords {
  const { config } = fleet;
  return {
    read: (sessionId) => readSessionRecord(config, sessionId),
    write: (record) => writeSessionRecord(config, record),
    remove: (sessionId) => removeSessionRecord(config, sessionId),
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
