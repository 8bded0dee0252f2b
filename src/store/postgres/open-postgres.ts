/**
 * Opens the Postgres store's connection pool, checks the server answers, and migrates the schema.
 * Every startup failure becomes one `storage_unavailable` sentence naming `IMAGEFLEET_DATABASE_URL`
 * (without its password), because that setting is what an operator fixes.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import { migratePostgresToLatest } from './migrate-postgres.js';
import type { PostgresDatabase } from './schema.js';
import { errorCodeOf } from './translate-postgres-error.js';

/** An open Postgres database: the Kysely handle and the pool under it. */
export interface PostgresConnection {
  db: Kysely<PostgresDatabase>;
  pool: pg.Pool;
  /** The URL without its password, for messages. */
  displayUrl: string;
  /** Ends every pooled connection; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenPostgresOptions {
  /** `postgres://user:password@host:port/database` — the value of `IMAGEFLEET_DATABASE_URL`. */
  connectionString: string;
  /** Pooled connections per process; default `defaultPoolSize`. Each claim holds one for its transaction. */
  poolSize?: number;
  /** How long to wait for a connection (at startup and from the pool), in ms; default 10 000. */
  connectTimeoutMs?: number;
}

/** Connections per process when `poolSize` is not given: a worker's claims plus the web server's reads. */
export const defaultPoolSize = 10;

const int8TypeId = 20;
const numericTypeId = 1700;

// Times are epoch ms and money micro-USD: both fit a double exactly (< 2^53), so `bigint` and the
// `numeric` of sum() are read as numbers instead of pg's default strings. Per pool, not pg's global
// type table, so another library in the process keeps its own parsing.
const numberTypes: pg.CustomTypesConfig = {
  getTypeParser: ((typeId: number, format?: string): unknown => {
    if (typeId === int8TypeId || typeId === numericTypeId) return (value: string) => Number(value);
    return pg.types.getTypeParser(typeId, format as 'text') as unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens the pool, runs `SELECT 1`, migrates; throws `storage_unavailable` with one sentence on any failure. */
export async function openPostgres(options: OpenPostgresOptions): Promise<PostgresConnection> {
  const displayUrl = withoutPassword(options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? defaultPoolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: numberTypes,
    application_name: 'imagefleet',
  });
  // An idle pooled connection the server drops (restart, idle timeout) emits 'error' on the pool;
  // unhandled it would crash the process, and the next query simply gets a fresh connection.
  pool.on('error', () => undefined);
  const db = new Kysely<PostgresDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await db.destroy();
    throw unreachable(displayUrl, error);
  }
  try {
    await migratePostgresToLatest(db, displayUrl);
  } catch (error) {
    await db.destroy();
    throw isImagefleetError(error) ? error : unreachable(displayUrl, error);
  }
  let closed = false;
  return {
    db,
    pool,
    displayUrl,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function unreachable(displayUrl: string, error: unknown): ImagefleetError {
  const code = errorCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const reason = code === '3D000' ? 'the database does not exist' : code === '28P01' || code === '28000' ? 'the server refused the credentials' : detail;
  return new ImagefleetError(
    'storage_unavailable',
    `Cannot connect to the PostgreSQL database IMAGEFLEET_DATABASE_URL names (${displayUrl}): ${reason}; check that the server is running and the URL is right.`,
    { cause: error },
  );
}

/** The URL with any password replaced by `***`; the text as given when it is not a URL. */
export function withoutPassword(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
