/** The `SDWEBUI_*` and `COMFYUI_*` variables: values, paths, and a half-set login. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { thrownBy } from '../support/thrown-by.js';

describe('Stable Diffusion configuration', () => {
  it('reads the web UI and ComfyUI settings', () => {
    const config = loadConfig(
      {
        SDWEBUI_BASE_URL: 'http://gpu-box:7860',
        SDWEBUI_USERNAME: 'artist',
        SDWEBUI_PASSWORD: 'secret',
        SDWEBUI_RPM: '30',
        SDWEBUI_CONCURRENCY: '2',
        SDWEBUI_COOLDOWN_MS: '100',
        SDWEBUI_TIMEOUT_MS: '1800000',
        SDWEBUI_MAX_IMAGES_PER_CALL: '2',
        COMFYUI_BASE_URL: 'http://gpu-box:8188',
        COMFYUI_WORKFLOW_PATH: 'workflows/sdxl.json',
        COMFYUI_CONCURRENCY: '4',
        COMFYUI_TIMEOUT_MS: '5000',
      },
      { cwd: '/srv/imagefleet' },
    );
    expect(config.providers.sdwebui).toEqual({
      baseUrl: 'http://gpu-box:7860',
      username: 'artist',
      password: 'secret',
      limits: { requestsPerMinute: 30, maxConcurrency: 2, cooldownMs: 100 },
      timeoutMs: 1_800_000,
      maxImagesPerCall: 2,
    });
    expect(config.providers.comfyui).toEqual({
      baseUrl: 'http://gpu-box:8188',
      workflowPath: '/srv/imagefleet/workflows/sdxl.json',
      limits: { requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0 },
      timeoutMs: 5000,
    });
  });

  it('refuses half a login and a bad URL, never quoting the password', () => {
    const error = thrownBy(() => loadConfig({ SDWEBUI_PASSWORD: 'p4ss-canary', COMFYUI_BASE_URL: 'gpu-box:8188' }, { cwd: '/' })) as Error;
    expect(error.message).toContain('SDWEBUI_USERNAME must be set when SDWEBUI_PASSWORD is');
    expect(error.message).toContain('COMFYUI_BASE_URL must be an http(s) URL');
    expect(error.message).not.toContain('p4ss-canary');
  });
});
