/**
 * Signed, expiring links to stored reference images, for remote workers (RunPod) that cannot take
 * a request's references inline. A link names the image by its SHA-256 and carries an expiry and
 * an HMAC of both under a key kept in the store (a server secret, DESIGN §9), so every process and
 * machine sharing the store signs and checks alike, and a link cannot be bent to another image or
 * a later time. The key never leaves the server.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { WebSessionRepository } from '../engine/ports.js';

export interface ReferenceLinks {
  /** A link to the image with this SHA-256, valid for `ttlMs`; undefined when no public URL is configured. */
  urlFor(sha256: string, ttlMs: number, nowMs: number): string | undefined;
  /** Whether `signature` is this server's for the image and expiry, and the expiry (epoch seconds) has not passed. */
  verify(sha256: string, expiresAtSeconds: number, signature: string, nowMs: number): boolean;
}

/** File of the signing key in the data directory before issue 16 (imported into the store, then renamed `….migrated`). */
export const referenceLinkKeyFile = 'reference-links.key';

/** Name of the signing key among the store's server secrets. */
export const referenceLinkSecretName = 'reference-links';

/** Suffix the old key file is renamed with once the store holds its key. */
const migratedKeySuffix = '.migrated';

/**
 * Reads the store's signing key, creating it on first use: one process wins a race (the first
 * insert), the others read its key. A key file of an older version in `dataDir` becomes the key
 * (so links signed before the upgrade still verify) and is then renamed; the store's key wins if
 * both exist. Insert-then-rename makes a crash in between harmless.
 */
export async function openReferenceLinks(
  dataDir: string,
  publicUrl: string | undefined,
  secrets: Pick<WebSessionRepository, 'serverSecret'>,
  nowMs: number = Date.now(),
): Promise<ReferenceLinks> {
  const keyPath = path.join(dataDir, referenceLinkKeyFile);
  const legacyKey = await readLegacyKey(keyPath);
  const keyText = await secrets.serverSecret(referenceLinkSecretName, () => legacyKey ?? randomBytes(32).toString('hex'), nowMs);
  if (legacyKey !== undefined) {
    try {
      await rename(keyPath, `${keyPath}${migratedKeySuffix}`);
    } catch (error) {
      // Another process importing at the same time renamed it first.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const key = Buffer.from(keyText, 'hex');
  const sign = (sha256: string, expiresAtSeconds: number): string => createHmac('sha256', key).update(`${sha256}.${expiresAtSeconds}`).digest('hex');
  return {
    urlFor(sha256, ttlMs, nowMs) {
      if (publicUrl === undefined) return undefined;
      const expiresAtSeconds = Math.ceil((nowMs + ttlMs) / 1000);
      return `${publicUrl}/api/references/${sha256}?expires=${expiresAtSeconds}&signature=${sign(sha256, expiresAtSeconds)}`;
    },
    verify(sha256, expiresAtSeconds, signature, nowMs) {
      if (expiresAtSeconds * 1000 <= nowMs) return false;
      const expected = Buffer.from(sign(sha256, expiresAtSeconds), 'hex');
      const given = Buffer.from(signature, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** The key of an older version's key file, or undefined when there is none (or it holds no key). */
async function readLegacyKey(keyPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(keyPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = text.trim();
  return /^(?:[0-9a-f]{2})+$/i.test(key) ? key : undefined;
}
