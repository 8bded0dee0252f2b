/**
 * Tables whose columns are the same on SQLite and Postgres (plain text and integer epoch ms), so
 * one repository serves both stores (`kysely-web-session-repository.ts`).
 */

/** A named secret the server made once (link signing, cookie signing). Added by 0009. */
export interface ServerSecretsTable {
  name: string;
  /** Never leaves the server; never logged. */
  value: string;
  created_at_ms: number;
}

/** One browser sign-in. Added by 0009. */
export interface WebSessionsTable {
  /** Random, base64url; the cookie carries it with a signature. */
  id: string;
  created_at_ms: number;
  expires_at_ms: number;
  last_seen_at_ms: number;
  /** Set when signed out or revoked; null while usable. */
  revoked_at_ms: number | null;
  user_agent_note: string;
}

/** The tables the web-session repository reads and writes. */
export interface WebSessionTables {
  server_secrets: ServerSecretsTable;
  web_sessions: WebSessionsTable;
}
