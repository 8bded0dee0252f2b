/**
 * The one SigV4 signing configuration the S3 blob adapter uses (aws4fetch, decision 0037). Kept apart
 * so the signing test checks exactly this configuration against AWS's published test vectors.
 */
import { AwsClient } from 'aws4fetch';
import type { S3Credentials } from '../s3-location.js';

/** What a signer needs. */
export interface S3SignerOptions {
  credentials: S3Credentials;
  /** Signing region, e.g. `us-east-1`. */
  region: string;
  /** Signing service name; `s3` for the adapter (the generic test vectors use `service`). */
  service?: string;
}

/** One request to sign. */
export interface S3SignableRequest {
  method: string;
  /** Every header here is signed. */
  headers?: Record<string, string>;
  body?: BodyInit;
  signal?: AbortSignal;
  /** Sign in the query string (a presigned URL) instead of an `Authorization` header. */
  signQuery?: boolean;
  /** Signing time as `YYYYMMDDTHHMMSSZ`; default now. For test vectors. */
  datetime?: string;
}

export interface S3Signer {
  /** The request, signed, ready for `fetch`. */
  sign(url: string, request: S3SignableRequest): Promise<Request>;
}

/**
 * Signs with aws4fetch. Its own retry loop is unused (the adapter retries idempotent requests
 * itself; aws4fetch's would retry every method). `allHeaders`: aws4fetch leaves `Content-Type` and
 * `Range` unsigned by default; the adapter signs every header it sets, so a proxy cannot change the
 * stored media type or the bytes a range read returns.
 */
export function createS3Signer(options: S3SignerOptions): S3Signer {
  const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
  const client = new AwsClient({ accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }), service: options.service ?? 's3', region: options.region, retries: 0 });
  return {
    sign: (url, request) =>
      client.sign(url, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        aws: { allHeaders: true, ...(request.signQuery === true ? { signQuery: true } : {}), ...(request.datetime === undefined ? {} : { datetime: request.datetime }) },
      }),
  };
}
