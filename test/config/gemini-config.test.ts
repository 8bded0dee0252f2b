/** The Gemini variables: model id overrides, timeout and batch-lane settings, and their errors. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { thrownBy } from '../support/thrown-by.js';

describe('Gemini configuration', () => {
  it('reads the timeout, model ids and batch settings', () => {
    const config = loadConfig(
      {
        GEMINI_TIMEOUT_MS: '600000',
        GEMINI_MODEL_NANO_BANANA: 'gemini-2.5-flash-image',
        GEMINI_MODEL_NANO_BANANA_PRO: 'gemini-3-pro-image-preview',
        GEMINI_MODEL_NANO_BANANA_2: 'gemini-nano-banana-2.1',
        GEMINI_BATCH_CONCURRENCY: '250',
        GEMINI_BATCH_MAX_REQUESTS: '500',
        GEMINI_BATCH_GATHER_MS: '0',
        GEMINI_BATCH_POLL_MS: '60000',
      },
      { cwd: '/' },
    );
    expect(config.providers.gemini.timeoutMs).toBe(600_000);
    expect(config.providers.gemini.modelIds).toEqual({ 'nano-banana': 'gemini-2.5-flash-image', 'nano-banana-pro': 'gemini-3-pro-image-preview', 'nano-banana-2': 'gemini-nano-banana-2.1' });
    expect(config.providers.gemini.batch).toEqual({
      limits: { requestsPerMinute: 0, maxConcurrency: 250, cooldownMs: 0 },
      maxRequestsPerBatch: 500,
      gatherMs: 0,
      pollIntervalMs: 60_000,
    });
  });

  it('refuses a model id that is not a bare id, and a timeout below a second, naming each variable', () => {
    const error = thrownBy(() => loadConfig({ GEMINI_MODEL_NANO_BANANA_PRO: 'models/gemini-3-pro-image', GEMINI_TIMEOUT_MS: '10' }, { cwd: '/' })) as Error;
    expect(error.message).toContain('GEMINI_TIMEOUT_MS must be an integer from 1000 to 3600000 (got "10")');
    expect(error.message).toContain('GEMINI_MODEL_NANO_BANANA_PRO must be a Gemini model id such as gemini-3-pro-image (lowercase letters, digits, dots and dashes) (got "models/gemini-3-pro-image")');
  });
});
