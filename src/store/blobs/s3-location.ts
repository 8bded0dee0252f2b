/**
 * Where an S3-compatible blob store lives, from `IMAGEFLEET_BLOB_URL` (`s3://bucket/prefix`) and the
 * standard AWS variables. Pure: the caller passes the environment in, so the rules are tested
 * without one. Every refusal is one `config_invalid` sentence that names the variable to fix, and
 * never quotes a secret. Not wired into src/config yet (issue 17 does that).
 */
import { ImagefleetError } from '../../core/errors.js';

/** The variables this reads, each optional (absent or empty = unset). */
export interface S3Environment {
  /** `s3://bucket` or `s3://bucket/prefix`. */
  IMAGEFLEET_BLOB_URL?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  /** Temporary credentials (STS); sent as `X-Amz-Security-Token`. */
  AWS_SESSION_TOKEN?: string | undefined;
  /** Default `us-east-1` (what S3-compatible servers accept when they ignore regions). */
  AWS_REGION?: string | undefined;
  /** Endpoint for S3 only; wins over `AWS_ENDPOINT_URL`. */
  AWS_ENDPOINT_URL_S3?: string | undefined;
  /** Endpoint for every AWS service. */
  AWS_ENDPOINT_URL?: string | undefined;
}

/** Access keys used to sign requests. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present with temporary credentials. */
  sessionToken?: string;
}

/** A validated S3 location: everything the S3 blob adapter needs to address and sign requests. */
export interface S3Location {
  /** Bucket name (3–63 characters: lowercase letters, digits, "." and "-"). */
  bucket: string;
  /** Prepended to every blob key: empty, or segments ending with "/" (`imagefleet/`). */
  keyPrefix: string;
  /** Service endpoint without a trailing "/" (`https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`). */
  endpoint: string;
  /** Signing region; default `us-east-1`. */
  region: string;
  /**
   * Path-style addressing (`endpoint/bucket/key`) rather than virtual-host (`bucket.endpoint/key`).
   * Default: true when an endpoint is given (S3-compatible servers rarely have per-bucket DNS),
   * false for AWS itself.
   */
  pathStyle: boolean;
  credentials: S3Credentials;
}

const defaultRegion = 'us-east-1';
// AWS bucket naming rules (the subset every S3-compatible server accepts as well).
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const regionPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Prefix segments become part of every key, so they follow the key alphabet's safe subset.
const prefixSegmentPattern = /^[A-Za-z0-9_.=-]+$/;

/** Whether blobs go to S3: `IMAGEFLEET_BLOB_URL` is set (unset = files in the data directory). */
export function usesS3BlobStore(environment: S3Environment): boolean {
  return present(environment.IMAGEFLEET_BLOB_URL) !== undefined;
}

/** Parses and checks the S3 location; `config_invalid` naming the variable when something is unusable. */
export function parseS3Location(environment: S3Environment): S3Location {
  const blobUrl = present(environment.IMAGEFLEET_BLOB_URL);
  if (blobUrl === undefined) throw refuse('IMAGEFLEET_BLOB_URL is not set; set it to s3://bucket/prefix to store blobs in S3.');
  const { bucket, keyPrefix } = parseBlobUrl(blobUrl);

  const accessKeyId = present(environment.AWS_ACCESS_KEY_ID);
  const secretAccessKey = present(environment.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined) throw refuse('AWS_ACCESS_KEY_ID is not set; IMAGEFLEET_BLOB_URL points to S3, which needs an access key.');
  if (secretAccessKey === undefined) throw refuse('AWS_SECRET_ACCESS_KEY is not set; IMAGEFLEET_BLOB_URL points to S3, which needs the secret of AWS_ACCESS_KEY_ID.');
  if (/\s/.test(accessKeyId)) throw refuse('AWS_ACCESS_KEY_ID contains white space; copy the key again without spaces or line breaks.');
  if (/\s/.test(secretAccessKey)) throw refuse('AWS_SECRET_ACCESS_KEY contains white space; copy the secret again without spaces or line breaks.');
  const sessionToken = present(environment.AWS_SESSION_TOKEN);

  const region = present(environment.AWS_REGION) ?? defaultRegion;
  if (!regionPattern.test(region)) throw refuse(`AWS_REGION "${region}" is not a region name; use lowercase letters, digits and "-" (for example us-east-1).`);

  const endpointVariable = present(environment.AWS_ENDPOINT_URL_S3) !== undefined ? 'AWS_ENDPOINT_URL_S3' : present(environment.AWS_ENDPOINT_URL) !== undefined ? 'AWS_ENDPOINT_URL' : undefined;
  const endpointText = endpointVariable === undefined ? undefined : present(environment[endpointVariable]);
  const endpoint = endpointVariable === undefined || endpointText === undefined ? `https://s3.${region}.amazonaws.com` : parseEndpoint(endpointVariable, endpointText);
  // A bucket name with dots cannot be a host label under the wildcard TLS certificate of AWS.
  const pathStyle = endpointVariable !== undefined || bucket.includes('.');

  return { bucket, keyPrefix, endpoint, region, pathStyle, credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
}

function parseBlobUrl(text: string): { bucket: string; keyPrefix: string } {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/.exec(text);
  if (match === null) throw refuse('IMAGEFLEET_BLOB_URL must look like s3://bucket or s3://bucket/prefix (no query, fragment or other scheme).');
  const bucket = match[1] ?? '';
  if (bucket.includes('@') || bucket.includes(':')) throw refuse('IMAGEFLEET_BLOB_URL must not carry credentials or a port; put keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and the server in AWS_ENDPOINT_URL_S3.');
  if (!bucketPattern.test(bucket) || bucket.includes('..')) throw refuse(`IMAGEFLEET_BLOB_URL names bucket "${bucket}", which is not a valid bucket name (3–63 lowercase letters, digits, "." and "-").`);
  const segments = (match[2] ?? '').split('/').filter((segment) => segment !== '');
  const badSegment = segments.find((segment) => !prefixSegmentPattern.test(segment) || segment === '.' || segment === '..');
  if (badSegment !== undefined) throw refuse(`IMAGEFLEET_BLOB_URL has prefix segment "${badSegment}"; use letters, digits, ".", "_", "=" and "-" only.`);
  return { bucket, keyPrefix: segments.map((segment) => `${segment}/`).join('') };
}

function parseEndpoint(variable: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(`${variable} is not a URL; set it to the server's address, for example http://127.0.0.1:9000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`${variable} must be an http:// or https:// URL.`);
  // Said without quoting the value: it holds a password.
  if (url.username !== '' || url.password !== '') throw refuse(`${variable} must not carry credentials; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`);
  if (url.search !== '' || url.hash !== '') throw refuse(`${variable} must not have a query or fragment.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function refuse(sentence: string): ImagefleetError {
  const variable = /^[A-Z0-9_]+/.exec(sentence)?.[0] ?? '';
  return new ImagefleetError('config_invalid', sentence, { issues: [{ path: variable, message: sentence }] });
}
