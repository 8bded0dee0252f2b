/** Web UI sign-in sessions and server secrets. A port: adapters in src/store implement it. */
import type { WebSessionRecord } from '../../core/web-session.js';

/** The web UI's sign-in sessions and the secret their cookies are signed with (the rules are in `core/web-session.ts`). */
export interface WebSessionRepository {
  /**
   * The secret named `name`, created from `generate()` on first use. Safe when two processes
   * start together: the first insert wins and both read it back.
   */
  serverSecret(name: string, generate: () => string, nowMs: number): Promise<string>;
  /** Stores `value` as the secret `name`, replacing any earlier one. */
  setServerSecret(name: string, value: string, nowMs: number): Promise<void>;
  createSession(session: WebSessionRecord): Promise<void>;
  findSession(id: string): Promise<WebSessionRecord | undefined>;
  /** Moves last-seen forward (never back). */
  touchSession(id: string, lastSeenAtMs: number): Promise<void>;
  /** Marks one session revoked; false when it was unknown or already revoked. */
  revokeSession(id: string, nowMs: number): Promise<boolean>;
  /** Marks every unrevoked session revoked; returns how many. */
  revokeAllSessions(nowMs: number): Promise<number>;
  /** Deletes rows that can no longer be used: revoked, past expiry, or idle since before `idleBeforeMs`. */
  pruneEndedSessions(nowMs: number, idleBeforeMs: number): Promise<number>;
}
