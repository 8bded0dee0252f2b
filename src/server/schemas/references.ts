/** The signed reference link route's contract (`GET /api/references/{sha256}`). */
import { z } from 'zod';

export const referenceParamsSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be the image’s SHA-256 in lowercase hex, as in the link' }).describe('The image’s SHA-256, lowercase hex.'),
});

export const referenceQuerySchema = z.strictObject({
  expires: z
    .string()
    .regex(/^\d{1,12}$/, { error: 'must be the expiry from the link (epoch seconds)' })
    .transform(Number)
    .describe('When the link expires, epoch seconds.'),
  signature: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be the signature from the link' }).describe('HMAC-SHA256 of the image and expiry under the server’s key.'),
});
