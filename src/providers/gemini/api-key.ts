/**
 * The API key is a secret: it goes into the SDK client and nowhere else. Everything that leaves
 * the provider (error messages, log fields, warnings) passes through `redactApiKey`, because a
 * proxy or SDK error may echo a URL or header that carries it.
 */
import { createHash } from 'node:crypto';

/** Short non-secret identity of the key: the first 8 hex digits of its SHA-256. */
export function fingerprintApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 8);
}

/** `text` with every occurrence of the key replaced by a placeholder. */
export function redactApiKey(text: string, apiKey: string): string {
  return apiKey.length === 0 ? text : text.split(apiKey).join('[redacted API key]');
}
