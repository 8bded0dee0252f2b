import { describe, expect, it } from 'vitest';
import { deriveSessionKey, judgeWebSession, lastSeenWriteIntervalMs, sessionExpiresAtMs, signSessionCookie, userAgentNote, verifySessionCookie, type WebSessionRecord } from '../../src/core/web-session.js';

const policy = { ttlMs: 7 * 24 * 3_600_000, idleMs: 24 * 3_600_000 };
const signedInAtMs = 1_700_000_000_000;

function session(overrides: Partial<WebSessionRecord> = {}): WebSessionRecord {
  return { id: 'abcdefghijklmnopqrstuvwxyz012345', createdAtMs: signedInAtMs, expiresAtMs: sessionExpiresAtMs(signedInAtMs, policy), lastSeenAtMs: signedInAtMs, revokedAtMs: undefined, userAgentNote: 'test', ...overrides };
}

describe('web session cookies', () => {
  const key = deriveSessionKey('server-secret-1', 'token-0123456789abcdef');

  it('round-trips a signed id and refuses any change to it', () => {
    const cookie = signSessionCookie('abcdefghijklmnopqrstuvwxyz012345', key);
    expect(cookie).toMatch(/^abcdefghijklmnopqrstuvwxyz012345\.[\w-]{43}$/);
    expect(verifySessionCookie(cookie, key)).toBe('abcdefghijklmnopqrstuvwxyz012345');
    const [id, mac] = cookie.split('.') as [string, string];
    expect(verifySessionCookie(`${id.slice(0, -1)}6.${mac}`, key)).toBeUndefined();
    expect(verifySessionCookie(`${id}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, key)).toBeUndefined();
    // Every other spelling of the last character, including those that decode to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const last of alphabet) if (last !== mac.at(-1)) expect(verifySessionCookie(`${id}.${mac.slice(0, -1)}${last}`, key)).toBeUndefined();
    expect(verifySessionCookie(id, key)).toBeUndefined();
    expect(verifySessionCookie(`${cookie}.extra`, key)).toBeUndefined();
    expect(verifySessionCookie('', key)).toBeUndefined();
    expect(verifySessionCookie('short.x', key)).toBeUndefined();
  });

  it('binds the key to both the server secret and the token', () => {
    const cookie = signSessionCookie('abcdefghijklmnopqrstuvwxyz012345', key);
    expect(verifySessionCookie(cookie, deriveSessionKey('server-secret-1', 'token-0123456789abcdeg'))).toBeUndefined();
    expect(verifySessionCookie(cookie, deriveSessionKey('server-secret-2', 'token-0123456789abcdef'))).toBeUndefined();
    expect(verifySessionCookie(cookie, deriveSessionKey('server-secret-1', 'token-0123456789abcdef'))).toBeDefined();
  });

  it('keeps a short printable user-agent note', () => {
    expect(userAgentNote(undefined)).toBe('unknown client');
    expect(userAgentNote('  Mozilla/5.0\n\u0007(X11)  ')).toBe('Mozilla/5.0 (X11)');
    expect(userAgentNote('x'.repeat(500))).toHaveLength(120);
  });
});

describe('judging a web session on a manual clock', () => {
  it('holds until the absolute lifetime ends, however active it is', () => {
    const expiresAtMs = signedInAtMs + policy.ttlMs;
    expect(judgeWebSession(session({ lastSeenAtMs: expiresAtMs - 1000 }), expiresAtMs - 1, policy).kind).toBe('valid');
    expect(judgeWebSession(session({ lastSeenAtMs: expiresAtMs - 1000 }), expiresAtMs, policy)).toEqual({ kind: 'expired' });
  });

  it('ends after the idle timeout without a request', () => {
    expect(judgeWebSession(session(), signedInAtMs + policy.idleMs - 1, policy).kind).toBe('valid');
    expect(judgeWebSession(session(), signedInAtMs + policy.idleMs, policy)).toEqual({ kind: 'idle' });
    expect(judgeWebSession(session({ lastSeenAtMs: signedInAtMs + 3_600_000 }), signedInAtMs + policy.idleMs, policy).kind).toBe('valid');
  });

  it('asks for a last-seen write at most once a minute', () => {
    expect(judgeWebSession(session(), signedInAtMs + lastSeenWriteIntervalMs - 1, policy)).toEqual({ kind: 'valid', touchLastSeen: false });
    expect(judgeWebSession(session(), signedInAtMs + lastSeenWriteIntervalMs, policy)).toEqual({ kind: 'valid', touchLastSeen: true });
  });

  it('treats a revoked session as ended, before anything else', () => {
    expect(judgeWebSession(session({ revokedAtMs: signedInAtMs + 5 }), signedInAtMs + 10, policy)).toEqual({ kind: 'revoked' });
  });
});
