/**
 * Which clock the Postgres store's time-critical decisions use (docs/decisions/0039). Leases,
 * lease recovery, the RPM window and cool-downs are compared across machines, so by default they
 * use the database server's clock, read in the transaction that decides: engines on machines whose
 * clocks disagree then still agree on when a lease expired or a window opened. `caller` uses the
 * `nowMs` the port passes, as SQLite does: for the contract suite, which drives time by hand.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { PostgresDatabase } from './schema.js';

/** `database`: the server's `clock_timestamp()`; `caller`: the port's `nowMs` argument. */
export type PostgresClock = 'database' | 'caller';

/** The database server's current time in epoch ms, as SQL (wall-clock time, not the transaction's start). */
export const databaseNowMsSql: RawBuilder<number> = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The time a decision uses: the database's now for `database`, else `callerNowMs`. */
export async function decisionNowMs(executor: Kysely<PostgresDatabase>, clock: PostgresClock, callerNowMs: number): Promise<number> {
  if (clock === 'caller') return callerNowMs;
  const result = await sql<{ now_ms: number }>`SELECT ${databaseNowMsSql} AS now_ms`.execute(executor);
  return Number(result.rows[0]?.now_ms ?? callerNowMs);
}
