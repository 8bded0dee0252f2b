/**
 * Issue 17's variables: `IMAGEFLEET_DATABASE_URL`, `IMAGEFLEET_DATABASE_POOL_SIZE`,
 * `IMAGEFLEET_BLOB_URL` and the standard AWS variables become `Config.store` and `Config.blobs`;
 * bad values are one sentence per variable that never quotes a password or secret key.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';

const password = 'pa55-w0rd-never-shown';
const secretKey = 'wJalrXUtnFEMI-K7MDENG-never-shown';

function configError(env: Record<string, string>): ImagefleetError {
  try {
    loadConfig(env, { cwd: '/srv' });
  } catch (error) {
    if (isImagefleetError(error)) return error;
    throw error;
  }
  throw new Error('expected loadConfig to refuse the environment');
}

const s3 = { IMAGEFLEET_BLOB_URL: 's3://imagefleet-prod/studio/a', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: secretKey };

describe('the store setting', () => {
  it('is SQLite in the data directory when IMAGEFLEET_DATABASE_URL is unset', () => {
    expect(loadConfig({ IMAGEFLEET_DATA_DIR: '/var/lib/imagefleet' }).store).toEqual({ kind: 'sqlite', databasePath: '/var/lib/imagefleet/imagefleet.db' });
  });

  it('is Postgres with host, database, pool size and a display URL without the password', () => {
    const config = loadConfig({ IMAGEFLEET_DATABASE_URL: `postgresql://imagefleet:${password}@db.internal:6432/fleet`, IMAGEFLEET_DATABASE_POOL_SIZE: '25' });
    expect(config.store).toEqual({
      kind: 'postgres',
      connectionString: `postgresql://imagefleet:${password}@db.internal:6432/fleet`,
      displayUrl: 'postgresql://imagefleet:***@db.internal:6432/fleet',
      host: 'db.internal:6432',
      database: 'fleet',
      poolSize: 25,
    });
    expect(loadConfig({ IMAGEFLEET_DATABASE_URL: 'postgres://db.internal/fleet' }).store).toMatchObject({ poolSize: 10, host: 'db.internal' });
  });

  it.each([
    ['another scheme', `mysql://imagefleet:${password}@db.internal/fleet`],
    ['no host', `postgres:///fleet?password=${password}`],
    ['not a URL', `imagefleet:${password}@db.internal`],
  ])('refuses %s in one sentence naming the variable, without the password', (_case, url) => {
    const error = configError({ IMAGEFLEET_DATABASE_URL: url });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe('IMAGEFLEET_DATABASE_URL must be a postgres:// or postgresql:// URL such as postgres://imagefleet:password@db.example.com:5432/imagefleet');
    expect(error.message).not.toContain(password);
  });

  it('refuses a pool size out of range', () => {
    expect(configError({ IMAGEFLEET_DATABASE_URL: 'postgres://db/fleet', IMAGEFLEET_DATABASE_POOL_SIZE: '0' }).message).toBe('IMAGEFLEET_DATABASE_POOL_SIZE must be an integer from 1 to 200 (got "0")');
  });
});

describe('the blob setting', () => {
  it('is files in the data directory when IMAGEFLEET_BLOB_URL is unset, whatever AWS variables are around', () => {
    expect(loadConfig({ IMAGEFLEET_DATA_DIR: '/data', AWS_REGION: 'eu-west-1' }).blobs).toEqual({ kind: 'files', directory: '/data/files' });
  });

  it('is AWS S3 of the region, virtual-host style, when no endpoint is given', () => {
    expect(loadConfig({ ...s3, AWS_REGION: 'eu-west-1', AWS_SESSION_TOKEN: 'token-1' }).blobs).toEqual({
      kind: 's3',
      location: {
        bucket: 'imagefleet-prod',
        keyPrefix: 'studio/a/',
        endpoint: 'https://s3.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
        pathStyle: false,
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secretKey, sessionToken: 'token-1' },
      },
    });
  });

  it('uses path style on an S3-compatible endpoint, AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL, AWS_REGION over AWS_DEFAULT_REGION', () => {
    const config = loadConfig({ ...s3, AWS_ENDPOINT_URL: 'http://other:9000', AWS_ENDPOINT_URL_S3: 'http://minio.internal:9000/', AWS_DEFAULT_REGION: 'auto' });
    expect(config.blobs).toMatchObject({ kind: 's3', location: { endpoint: 'http://minio.internal:9000', pathStyle: true, region: 'auto' } });
    expect(loadConfig({ ...s3, AWS_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com', AWS_REGION: 'auto', AWS_DEFAULT_REGION: 'us-west-2' }).blobs).toMatchObject({
      location: { endpoint: 'https://acct.r2.cloudflarestorage.com', pathStyle: true, region: 'auto' },
    });
  });

  it.each([
    ['a URL of another scheme', { IMAGEFLEET_BLOB_URL: 'https://bucket.s3.amazonaws.com/x' }, 'IMAGEFLEET_BLOB_URL must look like s3://bucket'],
    ['credentials in the URL', { IMAGEFLEET_BLOB_URL: `s3://key:${secretKey}@bucket/x` }, 'IMAGEFLEET_BLOB_URL must not carry credentials'],
    ['a missing secret key', { AWS_SECRET_ACCESS_KEY: undefined }, 'AWS_SECRET_ACCESS_KEY is not set'],
    ['an endpoint with credentials', { AWS_ENDPOINT_URL_S3: `http://key:${secretKey}@minio:9000` }, 'AWS_ENDPOINT_URL_S3 must not carry credentials'],
  ])('refuses %s in one sentence naming the variable, never quoting the secret', (_case, changes, start) => {
    const env = Object.fromEntries(Object.entries({ ...s3, ...changes }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const error = configError(env);
    expect(error.code).toBe('config_invalid');
    expect(error.message.startsWith(start)).toBe(true);
    expect(error.message.split('; ').length).toBeLessThanOrEqual(2);
    expect(error.message).not.toContain(secretKey);
  });

  it('reports a bad database URL and a bad blob URL together, in documentation order', () => {
    const error = configError({ IMAGEFLEET_DATABASE_URL: 'mysql://x', ...s3, IMAGEFLEET_BLOB_URL: 's3://UPPER' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['IMAGEFLEET_DATABASE_URL', 'IMAGEFLEET_BLOB_URL']);
  });
});
