import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; the engine's hot path uses a few dozen. */
const maxCachedStatements = 500;

/**
 * Gives Kysely a better-sqlite3 handle whose `prepare` reuses statements by SQL text.
 *
 * Why: Kysely prepares every query anew; in the engine's claim/complete path preparing cost about
 * as much as running the statements (measured in docs/benchmarks.md). Reuse is safe here because
 * Kysely's SQLite driver runs one query at a time on its single connection, and a statement is
 * always run to completion (`all`/`run`) before the next query.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database): KyselySqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string): SqliteStatement => {
      let statement = cache.get(sql);
      if (statement) {
        // Refresh recency: Map keeps insertion order, so the first key is the least recently used.
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= maxCachedStatements) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
