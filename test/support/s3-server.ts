/**
 * A real S3-compatible server for tests: s3rver on a free loopback port, storing in a temp
 * directory, with one bucket. s3rver accepts only its own access key (`S3RVER`) but does not check
 * SigV4 signatures; test/store/sigv4-vectors.test.ts checks our signing against AWS's vectors.
 *
 * It runs in a child Node process with `--openssl-legacy-provider`: s3rver 3.7.1 encrypts its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through that provider, so
 * in-process every truncated listing fails with InternalError.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { S3Location } from '../../src/store/blobs/s3-location.js';
import { makeTempDir } from './temp-dir.js';

/** s3rver's built-in account. */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** A path-style location in the bucket with `keyPrefix`. */
  locationWith(keyPrefix: string): S3Location;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/** Child script: start s3rver on port 0 and print the port as one JSON line. */
const childScript = `
const S3rver = require(process.env.S3RVER_MODULE);
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIRECTORY, configureBuckets: [{ name: process.env.S3RVER_BUCKET, configs: [] }] })
  .run()
  .then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'), (error) => { console.error(error); process.exit(1); });
`;

const startTimeoutMs = 20_000;

export async function startS3Server(bucket = 'imagefleet-test'): Promise<RunningS3Server> {
  const temporary = await makeTempDir('imagefleet-s3rver-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', childScript], {
    env: { ...process.env, S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'), S3RVER_DIRECTORY: temporary.directory, S3RVER_BUCKET: bucket },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await portOf(child);
  } catch (error) {
    child.kill();
    await temporary.cleanup();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    locationWith: (keyPrefix) => ({ bucket, keyPrefix, endpoint, region: 'us-east-1', pathStyle: true, credentials: { ...s3rverCredentials } }),
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.exitCode === null) child.kill();
      await exited;
      await temporary.cleanup();
    },
  };
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${startTimeoutMs} ms: ${errors}`)), startTimeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (!output.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${errors}`));
    });
  });
}
