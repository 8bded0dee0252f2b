/**
 * The one SigV4 signer configuration the S3 blob adapter uses (aws4fetch, decision 0037). Kept apart
 * so the signing test checks exactly this configuration against AWS's published test vectors.
 */
import { AwsClient } from 'aws4fetch';
import type { S3Credentials } from '../s3-location.js';

/** What a signer needs. */
export interface S3SignerOptions {
  credentials: S3Credentials;
  /** Signing region, e.g. `us-east-1`. */
  region: string;
  /** Signing service name; `s3` for the adapter (the test vectors use `service`). */
  service?: string;
}

/**
 * An aws4fetch client that only signs: its own retry loop is off (`retries: 0`) because it would
 * retry every method, non-idempotent ones included; the adapter retries idempotent requests itself.
 */
export function createS3Signer(options: S3SignerOptions): AwsClient {
  const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
  return new AwsClient({ accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }), service: options.service ?? 's3', region: options.region, retries: 0 });
}
