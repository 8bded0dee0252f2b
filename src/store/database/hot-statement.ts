/**
 * Hot-path statements written out as SQL text once, run on a Kysely executor (the database or the
 * transaction's connection) without Kysely's query builder.
 *
 * Why: per task the engine runs about a dozen statements (claim, fenced completion, events). The
 * builder and compiler cost about as much again as better-sqlite3 running the statement (measured
 * in docs/benchmarks.md, issue 20: ~45 µs of 87 µs for the completion update); prepared
 * statements are already reused by SQL text (statement-cache.ts), so a fixed text skips both.
 * Only for statements on the per-task path; everything else keeps the typed builder.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A value SQLite binds: what the hot statements pass (no booleans, no undefined). */
export type HotParameter = string | number | bigint | null;

/** Runs a statement that returns rows (a SELECT, or a write with RETURNING); the rows as SQLite gives them. */
export async function hotRows<Row>(executor: Kysely<Database>, sqlText: string, parameters: readonly HotParameter[]): Promise<Row[]> {
  const result = await executor.executeQuery<Row>(CompiledQuery.raw(sqlText, [...parameters]));
  return result.rows;
}

/** Runs a write without RETURNING; how many rows it changed and the last inserted rowid. */
export async function hotRun(executor: Kysely<Database>, sqlText: string, parameters: readonly HotParameter[]): Promise<{ changedRows: number; insertId: bigint | undefined }> {
  const result = await executor.executeQuery(CompiledQuery.raw(sqlText, [...parameters]));
  return { changedRows: Number(result.numAffectedRows ?? 0n), insertId: result.insertId };
}
