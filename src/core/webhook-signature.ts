/**
 * Standard Webhooks signatures (standardwebhooks.com): HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}` with the endpoint's secret, sent as
 * `webhook-signature: v1,<base64>`. Secrets are `whsec_` + base64 of random bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every endpoint secret, as the specification writes it. */
export const webhookSecretPrefix = 'whsec_';

/** Random bytes in a generated secret (the specification asks for 24 to 64). */
const generatedSecretBytes = 32;

/** Matches a secret we accept: the prefix and base64 of 24 to 64 bytes. */
const secretPattern = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** A fresh endpoint secret, `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytes(generatedSecretBytes).toString('base64')}`;
}

/** Whether `secret` has the `whsec_<base64 of 24..64 bytes>` form. */
export function isWebhookSecret(secret: string): boolean {
  if (!secretPattern.test(secret)) return false;
  const keyBytes = Buffer.from(secret.slice(webhookSecretPrefix.length), 'base64').length;
  return keyBytes >= 24 && keyBytes <= 64;
}

/** The `webhook-signature` header value (`v1,<base64 HMAC-SHA256>`) of one message. */
export function signWebhook(message: { id: string; timestampSeconds: number; body: string }, secret: string): string {
  const key = Buffer.from(secret.slice(webhookSecretPrefix.length), 'base64');
  const digest = createHmac('sha256', key).update(`${message.id}.${message.timestampSeconds}.${message.body}`).digest('base64');
  return `v1,${digest}`;
}

/**
 * Checks a received message the way a receiver should: any `v1` signature in the space-separated
 * header matches (constant-time), and the timestamp is within `toleranceSeconds` of `nowSeconds`.
 * Here for the documentation's example and for our own tests' second opinion.
 */
export function verifyWebhook(
  message: { id: string; timestamp: string; signatureHeader: string; body: string },
  secret: string,
  options: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  const timestampSeconds = Number(message.timestamp);
  if (!/^\d+$/.test(message.timestamp) || Math.abs(options.nowSeconds - timestampSeconds) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook({ id: message.id, timestampSeconds, body: message.body }, secret));
  return message.signatureHeader.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
