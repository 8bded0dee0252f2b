/**
 * Our SigV4 signing (the signer configuration the S3 adapter uses, `createS3Signer`) against AWS's
 * published vectors. s3rver does not verify signatures, so this is what proves that a real S3
 * would accept our requests.
 *
 * Sources of the expected values:
 * - AWS Signature Version 4 test suite (`aws-sig-v4-test-suite`, credentials AKIDEXAMPLE, date
 *   20150830T123600Z, region us-east-1, service `service`):
 *   https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html — the same values
 *   ship in the AWS SDK for JavaScript's `@aws-sdk/signature-v4` test fixture (`suite.fixture.js`).
 * - The S3 worked examples (credentials AKIAIOSFODNN7EXAMPLE, date 20130524T000000Z, bucket
 *   examplebucket): "Signature Calculations for the Authorization Header" —
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html — and
 *   "Authenticating Requests: Using Query Parameters" —
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { describe, expect, it } from 'vitest';
import { createS3Signer } from '../../src/store/blobs/s3/s3-signer.js';

const suiteCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const suiteDate = '20150830T123600Z';
const suiteScope = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

interface SuiteVector {
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signedHeaders: string;
  signature: string;
}

const suiteVectors: SuiteVector[] = [
  { name: 'get-vanilla', method: 'GET', url: 'https://example.amazonaws.com/', signedHeaders: 'host;x-amz-date', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', signedHeaders: 'host;x-amz-date', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'get-vanilla-empty-query-key', method: 'GET', url: 'https://example.amazonaws.com/?Param1=value1', signedHeaders: 'host;x-amz-date', signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb' },
  {
    name: 'get-unreserved',
    method: 'GET',
    url: 'https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signedHeaders: 'host;x-amz-date',
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  { name: 'post-vanilla', method: 'POST', url: 'https://example.amazonaws.com/', signedHeaders: 'host;x-amz-date', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'post-vanilla-query', method: 'POST', url: 'https://example.amazonaws.com/?Param1=value1', signedHeaders: 'host;x-amz-date', signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
  { name: 'post-header-key-case', method: 'POST', url: 'https://example.amazonaws.com/', headers: { 'MY-HEADER1': 'value1' }, signedHeaders: 'host;my-header1;x-amz-date', signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c' },
  { name: 'post-header-value-case', method: 'POST', url: 'https://example.amazonaws.com/', headers: { 'My-Header1': 'VALUE1' }, signedHeaders: 'host;my-header1;x-amz-date', signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    url: 'https://example.amazonaws.com/',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
];

describe('SigV4 signing against the AWS test suite', () => {
  // The adapter's configuration with the suite's service name (the suite is not S3-specific).
  const signer = createS3Signer({ credentials: suiteCredentials, region: 'us-east-1', service: 'service' });

  it.each(suiteVectors)('$name', async (vector) => {
    const signed = await signer.sign(vector.url, {
      method: vector.method,
      headers: vector.headers ?? {},
      ...(vector.body === undefined ? {} : { body: vector.body }),
      datetime: suiteDate,
    });
    expect(signed.headers.get('authorization')).toBe(`AWS4-HMAC-SHA256 ${suiteScope}, SignedHeaders=${vector.signedHeaders}, Signature=${vector.signature}`);
    expect(signed.headers.get('x-amz-date')).toBe(suiteDate);
  });
});

describe('SigV4 signing against the S3 worked examples', () => {
  // Exactly the adapter's configuration: service s3.
  const signer = createS3Signer({ credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, region: 'us-east-1' });
  const emptySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

  it('GET object with a Range header (header signing)', async () => {
    const signed = await signer.sign('https://examplebucket.s3.amazonaws.com/test.txt', {
      method: 'GET',
      headers: { Range: 'bytes=0-9', 'x-amz-content-sha256': emptySha256 },
      datetime: '20130524T000000Z',
    });
    expect(signed.headers.get('authorization')).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('presigned GET URL (query signing, X-Amz-Expires=86400) — what signedUrl builds', async () => {
    const url = new URL('https://examplebucket.s3.amazonaws.com/test.txt');
    url.searchParams.set('X-Amz-Expires', '86400');
    const signed = await signer.sign(url.toString(), { method: 'GET', signQuery: true, datetime: '20130524T000000Z' });
    const query = new URL(signed.url).searchParams;
    expect(query.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request');
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Signature')).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });
});
