/** `parseS3Location`: pure rules for IMAGEFLEET_BLOB_URL and the AWS variables (no server, no environment). */
import { describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { parseS3Location, usesS3BlobStore, type S3Environment } from '../../src/store/blobs/s3-location.js';

const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const base: S3Environment = { IMAGEFLEET_BLOB_URL: 's3://my-bucket/imagefleet/prod', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: secret };

function refusal(environment: S3Environment): ImagefleetError {
  try {
    parseS3Location(environment);
  } catch (error) {
    if (isImagefleetError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseS3Location', () => {
  it('reads bucket, prefix, credentials; AWS endpoint, us-east-1 and virtual-host addressing by default', () => {
    expect(parseS3Location(base)).toEqual({
      bucket: 'my-bucket',
      keyPrefix: 'imagefleet/prod/',
      endpoint: 'https://s3.us-east-1.amazonaws.com',
      region: 'us-east-1',
      pathStyle: false,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret },
    });
  });

  it('takes no prefix from a bare bucket, and normalises slashes of the prefix', () => {
    expect(parseS3Location({ ...base, IMAGEFLEET_BLOB_URL: 's3://my-bucket' }).keyPrefix).toBe('');
    expect(parseS3Location({ ...base, IMAGEFLEET_BLOB_URL: 's3://my-bucket/' }).keyPrefix).toBe('');
    expect(parseS3Location({ ...base, IMAGEFLEET_BLOB_URL: 's3://my-bucket//a//b/' }).keyPrefix).toBe('a/b/');
  });

  it('uses the region, the session token, and an S3 endpoint (path-style) that wins over the general one', () => {
    const location = parseS3Location({ ...base, AWS_REGION: 'eu-west-3', AWS_SESSION_TOKEN: 'token', AWS_ENDPOINT_URL: 'https://general.example', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000/' });
    expect(location).toMatchObject({ region: 'eu-west-3', endpoint: 'http://127.0.0.1:9000', pathStyle: true, credentials: { sessionToken: 'token' } });
    expect(parseS3Location({ ...base, AWS_ENDPOINT_URL: 'https://minio.example/base/' })).toMatchObject({ endpoint: 'https://minio.example/base', pathStyle: true });
    expect(parseS3Location({ ...base, AWS_REGION: 'eu-west-3' }).endpoint).toBe('https://s3.eu-west-3.amazonaws.com');
  });

  it('uses path-style on AWS for bucket names with dots (they cannot be TLS host labels)', () => {
    expect(parseS3Location({ ...base, IMAGEFLEET_BLOB_URL: 's3://images.example.com' }).pathStyle).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(usesS3BlobStore({ IMAGEFLEET_BLOB_URL: '  ' })).toBe(false);
    expect(usesS3BlobStore({ IMAGEFLEET_BLOB_URL: 's3://my-bucket' })).toBe(true);
    expect(parseS3Location({ ...base, AWS_REGION: '', AWS_ENDPOINT_URL_S3: '' })).toMatchObject({ region: 'us-east-1', pathStyle: false });
  });

  it.each([
    [{ IMAGEFLEET_BLOB_URL: undefined }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 'https://my-bucket/prefix' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://my-bucket/prefix?x=1' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://My_Bucket/prefix' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://ab' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://key:secret@my-bucket/prefix' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://my-bucket/a/../b' }, 'IMAGEFLEET_BLOB_URL'],
    [{ IMAGEFLEET_BLOB_URL: 's3://my-bucket/a b' }, 'IMAGEFLEET_BLOB_URL'],
    [{ AWS_ACCESS_KEY_ID: undefined }, 'AWS_ACCESS_KEY_ID'],
    [{ AWS_SECRET_ACCESS_KEY: '' }, 'AWS_SECRET_ACCESS_KEY'],
    [{ AWS_SECRET_ACCESS_KEY: `${secret} trailing` }, 'AWS_SECRET_ACCESS_KEY'],
    [{ AWS_REGION: 'EU West' }, 'AWS_REGION'],
    [{ AWS_ENDPOINT_URL_S3: 'not a url' }, 'AWS_ENDPOINT_URL_S3'],
    [{ AWS_ENDPOINT_URL_S3: 'ftp://files.example' }, 'AWS_ENDPOINT_URL_S3'],
    [{ AWS_ENDPOINT_URL: 'https://user:hunter2@minio.example' }, 'AWS_ENDPOINT_URL'],
    [{ AWS_ENDPOINT_URL: 'https://minio.example/?region=x' }, 'AWS_ENDPOINT_URL'],
  ] satisfies Array<[S3Environment, string]>)('refuses %j with one sentence naming %s', (overrides, variable) => {
    const error = refusal({ ...base, ...overrides });
    expect(error.code).toBe('config_invalid');
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message.endsWith('.')).toBe(true);
    expect(error.message.split('. ').length).toBe(1);
    expect(error.issues).toEqual([{ path: variable, message: error.message }]);
    for (const value of [secret, 'hunter2']) expect(error.message).not.toContain(value);
  });
});
