import { describe, expect, it } from 'vitest';
import { describeVariable, environmentVariableNames, type EnvironmentVariableName } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { geminiInputTokenEstimate } from '../../src/providers/gemini/input-token-estimate.js';

/** Runs loadConfig and returns the config_invalid error it throws. */
function configError(env: Record<string, string | undefined>, flags: Parameters<typeof loadConfig>[1] = {}): ImagefleetError {
  try {
    loadConfig(env, flags);
  } catch (error) {
    if (isImagefleetError(error) && error.code === 'config_invalid') return error;
    throw error;
  }
  throw new Error('loadConfig did not throw');
}

const integerVariables = environmentVariableNames.filter((name) => describeVariable(name).requirement.startsWith('an integer'));

describe('loadConfig defaults', () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({}, { cwd: '/srv/imagefleet' });
    expect(config).toEqual({
      dataDir: '/srv/imagefleet/data',
      databasePath: '/srv/imagefleet/data/imagefleet.db',
      blobsDir: '/srv/imagefleet/data/files',
      store: { kind: 'sqlite', databasePath: '/srv/imagefleet/data/imagefleet.db' },
      blobs: { kind: 'files', directory: '/srv/imagefleet/data/files' },
      server: { host: '127.0.0.1', port: 3000, apiToken: undefined, allowedHosts: [], sessionTtlMs: 604_800_000, sessionIdleMs: 86_400_000 },
      logLevel: 'info',
      logFormat: 'auto',
      engine: {
        leaseMs: 30_000,
        maxInFlight: 16,
        shutdownGraceMs: 30_000,
        maxAttempts: 5,
        maxLeaseExpirations: 3,
        idlePollMs: 250,
        retryBaseMs: 1000,
        retryMaxMs: 60_000,
        eventRetentionMs: 604_800_000,
      },
      api: {
        uploadMaxBytes: 52_428_800,
        uploadMaxPixels: 100_000_000,
        zipUploadMaxBytes: 1_073_741_824,
        zipMaxExpandedBytes: 2_147_483_648,
        zipMaxEntries: 10_000,
        downloadTemplate: '{prompt}/{index}_{seed}',
      },
      providers: {
        local: { simulatedLatencyMs: 0, limits: { requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0 } },
        gemini: {
          apiKey: undefined,
          baseUrl: undefined,
          limits: { requestsPerMinute: 0, maxConcurrency: 16, cooldownMs: 0, learnedRate: true, inputTokenEstimate: geminiInputTokenEstimate },
          timeoutMs: 300_000,
          modelIds: { 'nano-banana': undefined, 'nano-banana-pro': undefined, 'nano-banana-2': undefined },
          batch: { limits: { requestsPerMinute: 0, maxConcurrency: 1000, cooldownMs: 0 }, maxRequestsPerBatch: 1000, gatherMs: 5000, pollIntervalMs: 30_000 },
        },
        runpod: {
          apiKey: undefined,
          endpointId: undefined,
          baseUrl: 'https://api.runpod.ai/v2',
          limits: { requestsPerMinute: 600, maxConcurrency: 16, cooldownMs: 0 },
          workerProvider: 'gemini',
          modelIds: undefined,
          executionTimeoutMs: 600_000,
          ttlMs: 86_400_000,
          pricePerSecondUsd: 0.00019,
        },
        sdwebui: {
          baseUrl: undefined,
          username: undefined,
          password: undefined,
          limits: { requestsPerMinute: 0, maxConcurrency: 1, cooldownMs: 0 },
          timeoutMs: 600_000,
          maxImagesPerCall: 4,
        },
        comfyui: { baseUrl: undefined, workflowPath: undefined, limits: { requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 }, timeoutMs: 60_000 },
      },
      webhooks: {
        defaultUrl: undefined,
        defaultSecret: undefined,
        defaultEvents: ['job.completed', 'job.failed', 'job.canceled', 'job.paused'],
        allowPrivateTargets: false,
        timeoutMs: 10_000,
        retryDelaysMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 28_800_000, 28_800_000],
      },
      runpodWorker: { port: 3100, concurrency: 1, inlineMaxBytes: 15_728_640, bucket: undefined },
    });
  });

  it('resolves a relative data directory against PWD when no cwd flag is given', () => {
    expect(loadConfig({ PWD: '/home/user/project' }).dataDir).toBe('/home/user/project/data');
  });

  it('keeps an absolute data directory as it is', () => {
    expect(loadConfig({ IMAGEFLEET_DATA_DIR: '/var/lib/imagefleet' }, { cwd: '/elsewhere' }).databasePath).toBe('/var/lib/imagefleet/imagefleet.db');
  });

  it('does not read process.env', () => {
    const previous = process.env.IMAGEFLEET_PORT;
    process.env.IMAGEFLEET_PORT = '4444';
    try {
      expect(loadConfig({}, { cwd: '/x' }).server.port).toBe(3000);
    } finally {
      if (previous === undefined) delete process.env.IMAGEFLEET_PORT;
      else process.env.IMAGEFLEET_PORT = previous;
    }
  });
});

describe('loadConfig overrides', () => {
  it('reads every variable from the environment', () => {
    const config = loadConfig(
      {
        IMAGEFLEET_DATA_DIR: 'store',
        IMAGEFLEET_HOST: '0.0.0.0',
        IMAGEFLEET_PORT: '8080',
        IMAGEFLEET_API_TOKEN: 'a-long-enough-api-token',
        IMAGEFLEET_ALLOWED_HOSTS: 'Studio.lan, [10.0.0.5]',
        IMAGEFLEET_SESSION_TTL_MS: '3600000',
        IMAGEFLEET_SESSION_IDLE_MS: '600000',
        IMAGEFLEET_LOG_LEVEL: 'DEBUG',
        IMAGEFLEET_LEASE_MS: '5000',
        IMAGEFLEET_MAX_IN_FLIGHT: '8',
        IMAGEFLEET_SHUTDOWN_GRACE_MS: '0',
        IMAGEFLEET_MAX_ATTEMPTS: '7',
        IMAGEFLEET_MAX_LEASE_EXPIRATIONS: '2',
        IMAGEFLEET_IDLE_POLL_MS: '100',
        IMAGEFLEET_RETRY_BASE_MS: '200',
        IMAGEFLEET_RETRY_MAX_MS: '2000',
        IMAGEFLEET_EVENT_RETENTION_MS: '86400000',
        IMAGEFLEET_LOCAL_LATENCY_MS: '50',
        IMAGEFLEET_LOCAL_RPM: '600',
        IMAGEFLEET_LOCAL_CONCURRENCY: '2',
        IMAGEFLEET_LOCAL_COOLDOWN_MS: '10',
        GEMINI_API_KEY: ' gemini-key ',
        GEMINI_BASE_URL: 'http://127.0.0.1:9999/fake',
        GEMINI_RPM: '0',
        GEMINI_CONCURRENCY: '1',
        GEMINI_COOLDOWN_MS: '1500',
      },
      { cwd: '/base' },
    );
    expect(config.dataDir).toBe('/base/store');
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8080, apiToken: 'a-long-enough-api-token', allowedHosts: ['studio.lan', '10.0.0.5'], sessionTtlMs: 3_600_000, sessionIdleMs: 600_000 });
    expect(config.logLevel).toBe('debug');
    expect(config.engine).toEqual({
      leaseMs: 5000,
      maxInFlight: 8,
      shutdownGraceMs: 0,
      maxAttempts: 7,
      maxLeaseExpirations: 2,
      idlePollMs: 100,
      retryBaseMs: 200,
      retryMaxMs: 2000,
      eventRetentionMs: 86_400_000,
    });
    expect(config.providers.local).toEqual({ simulatedLatencyMs: 50, limits: { requestsPerMinute: 600, maxConcurrency: 2, cooldownMs: 10 } });
    expect(config.providers.gemini).toMatchObject({
      apiKey: 'gemini-key',
      baseUrl: 'http://127.0.0.1:9999/fake',
      limits: { requestsPerMinute: 0, maxConcurrency: 1, cooldownMs: 1500 },
    });
  });

  it('lets flags override the environment', () => {
    const config = loadConfig(
      { IMAGEFLEET_DATA_DIR: '/from-env', IMAGEFLEET_PORT: '1111', IMAGEFLEET_HOST: 'localhost', IMAGEFLEET_LOG_LEVEL: 'warn' },
      { dataDir: 'from-flag', port: 2222, host: '::1', logLevel: 'silent', cwd: '/work' },
    );
    expect(config.dataDir).toBe('/work/from-flag');
    expect(config.server.port).toBe(2222);
    expect(config.server.host).toBe('::1');
    expect(config.logLevel).toBe('silent');
  });

  it('accepts a port flag given as text, as commander passes it', () => {
    expect(loadConfig({}, { port: '4321', cwd: '/' }).server.port).toBe(4321);
  });

  it('names the flag, not the variable, when a flag value is bad', () => {
    const error = configError({ IMAGEFLEET_PORT: '3000' }, { port: 'http' });
    expect(error.message).toBe('--port must be an integer from 1 to 65535 (got "http")');
  });
});

describe('loadConfig errors', () => {
  it('explains a bad port with the variable, the allowed range and the value', () => {
    expect(configError({ IMAGEFLEET_PORT: 'abc' }).message).toBe('IMAGEFLEET_PORT must be an integer from 1 to 65535 (got "abc")');
  });

  it.each(integerVariables)('names %s when its value is not an integer', (name) => {
    const error = configError({ [name]: '12abc' });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(name);
    expect(error.message).toBe(`${name} must be ${describeVariable(name).requirement} (got "12abc")`);
  });

  it.each(integerVariables)('names %s when its value is out of range', (name) => {
    expect(configError({ [name]: '99999999999999' }).message).toMatch(new RegExp(`^${name} must be an integer from \\d+ to \\d+`));
  });

  it.each([
    ['IMAGEFLEET_HOST', 'http://0.0.0.0', 'a host name or IP address'],
    ['IMAGEFLEET_HOST', 'localhost:3000', 'a host name or IP address'],
    ['IMAGEFLEET_LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['GEMINI_BASE_URL', 'ftp://example.com', 'an http(s) URL'],
    ['GEMINI_BASE_URL', 'not a url', 'an http(s) URL'],
  ] as const)('names %s for the bad value %s', (name, value, allowed) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(`${name} must be ${allowed}`);
    expect(error.message).toContain(`(got "${value}")`);
  });

  it('reports every bad variable at once, in documentation order', () => {
    const error = configError({
      GEMINI_RPM: '-1',
      IMAGEFLEET_PORT: '0',
      IMAGEFLEET_LOG_LEVEL: 'verbose',
      IMAGEFLEET_LEASE_MS: '10',
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['IMAGEFLEET_PORT', 'IMAGEFLEET_LOG_LEVEL', 'IMAGEFLEET_LEASE_MS', 'GEMINI_RPM']);
    expect(error.message.split('; ')).toHaveLength(4);
  });

  it('treats a provider key that is set but empty as an error naming the variable', () => {
    const error = configError({ GEMINI_API_KEY: '' });
    expect(error.message).toBe('GEMINI_API_KEY is set but empty: set it to a real value or unset it');
    expect(configError({ GEMINI_API_KEY: '   ' }).issues[0]?.path).toBe('GEMINI_API_KEY');
  });

  it('treats any other empty variable as an error that mentions the default', () => {
    expect(configError({ IMAGEFLEET_PORT: '' }).message).toBe('IMAGEFLEET_PORT is set but empty: set a value or unset it to use the default (3000)');
  });

  it('refuses a non-loopback host without an API token', () => {
    const error = configError({ IMAGEFLEET_HOST: '0.0.0.0' });
    expect(error.issues[0]?.path).toBe('IMAGEFLEET_API_TOKEN');
    expect(error.message).toContain('IMAGEFLEET_HOST is "0.0.0.0"');
    expect(error.message).toContain('IMAGEFLEET_API_TOKEN must be set');
    expect(configError({}, { host: '192.168.1.20' }).message).toContain('--host is "192.168.1.20"');
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '::ffff:127.0.0.1'])('accepts the loopback host %s without a token', (host) => {
    expect(loadConfig({ IMAGEFLEET_HOST: host }).server.host).toBe(host);
  });

  it('accepts a non-loopback host with a token', () => {
    expect(loadConfig({ IMAGEFLEET_HOST: '::', IMAGEFLEET_API_TOKEN: '0123456789abcdef' }).server.apiToken).toBe('0123456789abcdef');
  });

  it('never echoes a secret value', () => {
    const error = configError({ IMAGEFLEET_API_TOKEN: 'short-secret' });
    expect(error.message).toBe('IMAGEFLEET_API_TOKEN must be at least 16 characters long');
    expect(JSON.stringify(error.issues)).not.toContain('short-secret');
  });

  it('refuses a retry ceiling below the retry base', () => {
    expect(configError({ IMAGEFLEET_RETRY_BASE_MS: '5000', IMAGEFLEET_RETRY_MAX_MS: '1000' }).message).toBe(
      'IMAGEFLEET_RETRY_MAX_MS must be at least IMAGEFLEET_RETRY_BASE_MS (5000) (got "1000")',
    );
  });
});

describe('schema descriptions', () => {
  it.each(environmentVariableNames)('%s has a requirement and a default description', (name: EnvironmentVariableName) => {
    const description = describeVariable(name);
    expect(description.requirement.length).toBeGreaterThan(0);
    if (!description.secret && description.defaultText !== undefined) {
      // The documented default must itself be a valid value.
      expect(() => loadConfig({ [name]: description.defaultText }, { cwd: '/' })).not.toThrow();
    }
  });
});

describe('webhook settings', () => {
  it('reads the server-wide endpoint, events, flag, timeout and retry waits', () => {
    const config = loadConfig({
      IMAGEFLEET_WEBHOOK_URL: 'https://hooks.example.com/x',
      IMAGEFLEET_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      IMAGEFLEET_WEBHOOK_EVENTS: 'job.completed, task.completed',
      IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'TRUE',
      IMAGEFLEET_WEBHOOK_TIMEOUT_MS: '5000',
      IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '100, 2000',
    });
    expect(config.webhooks).toEqual({
      defaultUrl: 'https://hooks.example.com/x',
      defaultSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      defaultEvents: ['job.completed', 'task.completed'],
      allowPrivateTargets: true,
      timeoutMs: 5000,
      retryDelaysMs: [100, 2000],
    });
  });

  it('refuses half a default endpoint, a malformed secret and unknown events, never echoing the secret', () => {
    expect(() => loadConfig({ IMAGEFLEET_WEBHOOK_URL: 'https://hooks.example.com/x' })).toThrow(/IMAGEFLEET_WEBHOOK_SECRET must be set when IMAGEFLEET_WEBHOOK_URL is/);
    let message = '';
    try {
      loadConfig({ IMAGEFLEET_WEBHOOK_SECRET: 'hunter2-hunter2', IMAGEFLEET_WEBHOOK_EVENTS: 'job.exploded', IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'maybe' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('IMAGEFLEET_WEBHOOK_SECRET must be whsec_');
    expect(message).toContain('IMAGEFLEET_WEBHOOK_EVENTS must be event types');
    expect(message).toContain('IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE must be true or false');
    expect(message).not.toContain('hunter2');
  });
});
