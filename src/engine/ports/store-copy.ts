/**
 * Copying one installation's store into another (`imagefleet migrate-store`, issue 17): the
 * source is read table by table in batches, the target written in batches that each commit with
 * the progress they make, so a killed copy resumes where it stopped. Which tables, in which order,
 * and how the result is checked is the operation's rule (src/operations/migrate-store.ts); the
 * adapters only read, write and count.
 *
 * Rows travel in the canonical form: column names and values as the SQLite schema keeps them
 * (src/store/database/schema.ts) — money as REAL USD in `*_usd` columns, JSON as text in `*_json`
 * columns, flags as 0/1, times as epoch ms. A target with other representations converts at its
 * own edge (docs/decisions/0042).
 */

/** One column value in canonical form. */
export type CopyValue = string | number | boolean | null;

/** One row in canonical form, by column name. */
export type CopyRow = Record<string, CopyValue>;

/** A batch of rows read from the source. */
export interface CopyBatch {
  rows: CopyRow[];
  /** Key of the last row in `rows` (the next read starts after it); the `afterKey` given when `rows` is empty. */
  lastKey: number;
}

/** A lease on the source: a task or webhook delivery some process is working on. */
export interface SourceLease {
  /** `host:pid:random` of the holder; undefined for leases that do not record one (webhook deliveries). */
  owner: string | undefined;
  /** When the lease runs out, epoch ms. */
  expiresAtMs: number;
}

/** The installation being copied from. */
export interface StoreCopySource {
  /** Where it is, for messages (a file path; never a password). */
  readonly description: string;
  /** Identifies this database across runs and moves of its directory (when it was created), so a resume finds its own copy. */
  fingerprint(): Promise<string>;
  /** Number of the newest schema migration applied (`0011`). */
  schemaVersion(): Promise<string>;
  /** Names of its data tables (bookkeeping tables such as the migration log excluded). */
  tables(): Promise<string[]>;
  /** Column names of `table`, in canonical form. */
  columns(table: string): Promise<string[]>;
  /** Up to `limit` rows of `table` with keys after `afterKey`, in key order; keys start above 0. */
  readBatch(table: string, afterKey: number, limit: number): Promise<CopyBatch>;
  /** Rows in `table`. */
  count(table: string): Promise<number>;
  /** Every lease still recorded on tasks and webhook deliveries, expired or not. */
  leases(): Promise<SourceLease[]>;
}

/** What the target records about the copy it receives, so a second source or version is refused. */
export interface StoreCopyMarker {
  /** The source's `fingerprint()`. */
  sourceFingerprint: string;
  /** The source's `description` when the copy started, for messages. */
  sourceDescription: string;
  /** The schema version both sides had when the copy started. */
  schemaVersion: string;
  /** When the first run started, epoch ms. */
  startedAtMs: number;
  /** When a run last finished verified, epoch ms; null while unfinished. */
  verifiedAtMs: number | null;
}

/** How far the copy of one table got. */
export interface TableCopyProgress {
  table: string;
  /** Source key of the last copied row; 0 before the first. */
  afterKey: number;
  /** Rows copied so far. */
  copiedRows: number;
  /** Every row was copied. */
  complete: boolean;
}

/** The store being filled. */
export interface StoreCopyTarget {
  /** Where it is, for messages (a URL without its password). */
  readonly description: string;
  /** Number of the newest schema migration applied (`0011`). */
  schemaVersion(): Promise<string>;
  /** Names of its data tables (bookkeeping tables excluded). */
  tables(): Promise<string[]>;
  /** Refuses (`conflict`, naming the column) when a source column has no place in `table`; call before writing it. */
  checkColumns(table: string, sourceColumns: string[]): Promise<void>;
  /** The copy marker; undefined when no copy was ever started here. */
  readMarker(): Promise<StoreCopyMarker | undefined>;
  /** Records the marker (creating its bookkeeping table when needed); replaces an existing one. */
  writeMarker(marker: StoreCopyMarker): Promise<void>;
  /** Progress of every table the copy has touched. */
  progress(): Promise<TableCopyProgress[]>;
  /**
   * Inserts `rows` (canonical form, ids as given) into `table` and records `progress` for it, in one
   * transaction: a run killed at any moment leaves either both or neither.
   */
  writeBatch(table: string, rows: CopyRow[], progress: TableCopyProgress): Promise<void>;
  /** Rows in `table`. */
  count(table: string): Promise<number>;
  /** Moves every generated-key sequence past the largest key present, so new rows do not collide with copied ones. */
  advanceSequences(): Promise<void>;
}

/** The keys of every blob a source blob store holds. */
export interface BlobKeyListing {
  /** Every stored blob's key (temporary files of interrupted writes excluded), in no particular order. */
  listKeys(): AsyncIterable<string>;
}
