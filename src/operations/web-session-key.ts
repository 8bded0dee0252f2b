/**
 * The key web-session cookies are signed with: derived from the store's session secret and the
 * API token, so every process sharing the store signs and checks alike, and a new token ends
 * every session (docs/decisions/0026). Read from the store once per store and token.
 */
import { randomBytes } from 'node:crypto';
import { deriveSessionKey, tokenFingerprint, type WebSessionPolicy } from '../core/web-session.js';
import type { Config } from '../config/config.js';
import type { Store } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

/** Name of the session-signing secret in the store's server secrets. */
const sessionSecretName = 'web-session-signing';
/** Name of the fingerprint of the token the sessions were signed under. */
const tokenFingerprintName = 'web-session-token-fingerprint';

// One key per store and token (both fixed for a fleet's life).
const sessionKeys = new WeakMap<Store, Map<string, Promise<Buffer>>>();

export function webSessionKey(apiToken: string, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<Buffer> {
  let byToken = sessionKeys.get(dependencies.store);
  if (byToken === undefined) {
    byToken = new Map();
    sessionKeys.set(dependencies.store, byToken);
  }
  let key = byToken.get(apiToken);
  if (key === undefined) {
    key = (async () => {
      const sessions = dependencies.store.webSessions;
      const nowMs = dependencies.clock.now();
      const secret = await sessions.serverSecret(sessionSecretName, () => randomBytes(32).toString('base64url'), nowMs);
      // The key already changes with the token; revoking on a change also keeps an old token, put back, from reviving old cookies.
      const fingerprint = tokenFingerprint(secret, apiToken);
      const recorded = await sessions.serverSecret(tokenFingerprintName, () => fingerprint, nowMs);
      if (recorded !== fingerprint) {
        await sessions.revokeAllSessions(nowMs);
        await sessions.setServerSecret(tokenFingerprintName, fingerprint, nowMs);
      }
      return deriveSessionKey(secret, apiToken);
    })();
    // A failed read (database busy) is not cached: the next request tries again.
    const cached = byToken;
    void key.catch(() => cached.delete(apiToken));
    byToken.set(apiToken, key);
  }
  return key;
}

/** The session lifetime and idle limit in force. */
export function webSessionPolicy(config: Pick<Config, 'server'>): WebSessionPolicy {
  return { ttlMs: config.server.sessionTtlMs, idleMs: config.server.sessionIdleMs };
}
