/**
 * Signed, expiring links to stored reference images, for remote workers (RunPod) that cannot take
 * a request's references inline. A link names the image by its SHA-256 and carries an expiry and
 * an HMAC of both under a key kept in the data directory, so every process sharing the directory
 * signs and checks alike, and a link cannot be bent to another image or a later time. The key
 * never leaves the server.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ReferenceLinks {
  /** A link to the image with this SHA-256, valid for `ttlMs`; undefined when no public URL is configured. */
  urlFor(sha256: string, ttlMs: number, nowMs: number): string | undefined;
  /** Whether `signature` is this server's for the image and expiry, and the expiry (epoch seconds) has not passed. */
  verify(sha256: string, expiresAtSeconds: number, signature: string, nowMs: number): boolean;
}

/** File of the signing key, in the data directory. */
export const referenceLinkKeyFile = 'reference-links.key';

/** Reads the data directory's signing key, creating it on first use (one process wins a race; the others read its key). */
export async function openReferenceLinks(dataDir: string, publicUrl: string | undefined): Promise<ReferenceLinks> {
  const keyPath = path.join(dataDir, referenceLinkKeyFile);
  try {
    await writeFile(keyPath, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from((await readFile(keyPath, 'utf8')).trim(), 'hex');
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
