import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { thrownBy } from '../support/thrown-by.js';

describe('RunPod configuration', () => {
  it('reads the provider settings', () => {
    const config = loadConfig({
      RUNPOD_API_KEY: 'rpa_secret',
      RUNPOD_ENDPOINT_ID: 'abc123xyz',
      RUNPOD_BASE_URL: 'http://127.0.0.1:9/v2',
      RUNPOD_RPM: '60',
      RUNPOD_CONCURRENCY: '40',
      RUNPOD_WORKER_PROVIDER: 'local',
      RUNPOD_MODELS: 'local-transform, other',
      RUNPOD_EXECUTION_TIMEOUT_MS: '5000',
      RUNPOD_TTL_MS: '604800000',
      RUNPOD_PRICE_PER_SECOND_USD: '0.00005',
    });
    expect(config.providers.runpod).toEqual({
      apiKey: 'rpa_secret',
      endpointId: 'abc123xyz',
      baseUrl: 'http://127.0.0.1:9/v2',
      limits: { requestsPerMinute: 60, maxConcurrency: 40, cooldownMs: 0 },
      workerProvider: 'local',
      modelIds: ['local-transform', 'other'],
      executionTimeoutMs: 5000,
      ttlMs: 604_800_000,
      pricePerSecondUsd: 0.00005,
    });
  });

  it('refuses values outside what RunPod accepts, and never echoes the key', () => {
    const error = thrownBy(() =>
      loadConfig({ RUNPOD_API_KEY: '', RUNPOD_ENDPOINT_ID: 'a/b', RUNPOD_EXECUTION_TIMEOUT_MS: '1000', RUNPOD_TTL_MS: '700000000', RUNPOD_PRICE_PER_SECOND_USD: '1e-4' }),
    ) as Error;
    expect(error.message).toContain('RUNPOD_API_KEY is set but empty');
    expect(error.message).toContain('RUNPOD_ENDPOINT_ID must be a RunPod endpoint id');
    expect(error.message).toContain('RUNPOD_EXECUTION_TIMEOUT_MS must be an integer from 5000 to 604800000');
    expect(error.message).toContain('RUNPOD_TTL_MS must be an integer from 10000 to 604800000');
    expect(error.message).toContain('RUNPOD_PRICE_PER_SECOND_USD must be a decimal number');
  });

  it('reads the worker bucket only when it is complete, and says which part is missing', () => {
    const config = loadConfig({ BUCKET_ENDPOINT_URL: 'https://r2.example.com/bucket', BUCKET_ACCESS_KEY_ID: 'id', BUCKET_SECRET_ACCESS_KEY: 'bucket-secret', BUCKET_REGION: 'auto' });
    expect(config.runpodWorker.bucket).toEqual({ endpointUrl: 'https://r2.example.com/bucket', accessKeyId: 'id', secretAccessKey: 'bucket-secret', region: 'auto' });
    const error = thrownBy(() => loadConfig({ BUCKET_ENDPOINT_URL: 'https://r2.example.com/bucket', BUCKET_SECRET_ACCESS_KEY: 'bucket-secret' })) as Error;
    expect(error.message).toContain('BUCKET_ACCESS_KEY_ID must be set too');
    expect(error.message).not.toContain('bucket-secret');
  });
});
