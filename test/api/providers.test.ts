import { afterEach, describe, expect, it } from 'vitest';
import { handleListProviders } from '../../src/server/provider-handlers.js';
import { fakeLoras, startFakeSdwebuiServer } from '../fakes/sdwebui/fake-sdwebui-server.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

interface ProviderListBody {
  items: Array<{
    id: string;
    configured: boolean;
    setup: string;
    pausedReason: string | null;
    loras: string[];
    limits: { online: { requestsPerMinute: number; maxConcurrency: number }; batch: { requestsPerMinute: number } | null } | null;
    models: Array<{ id: string; aliases: string[]; seedSupport: string; sizes: string[]; lanes: string[]; supportsMask: boolean; pricePerImageUsd: Record<string, Record<string, number>> }>;
  }>;
}

describe('GET /api/providers', () => {
  let harness: ApiHarness | undefined;
  afterEach(async () => harness?.close());

  it('lists local as configured with its capabilities, and says how to configure the others', async () => {
    harness = await openApiHarness({ IMAGEFLEET_LOCAL_CONCURRENCY: '3' });
    const body = await expectJson<ProviderListBody>(await call(handleListProviders, apiRequest('/api/providers')), 200);
    const local = body.items.find((item) => item.id === 'local');
    expect(local).toMatchObject({ configured: true, setup: '', pausedReason: null, limits: { online: { maxConcurrency: 3 }, batch: null } });
    expect(local?.models[0]).toMatchObject({ id: 'local-transform', seedSupport: 'exact', supportsMask: true, lanes: ['online'] });
    const gemini = body.items.find((item) => item.id === 'gemini');
    expect(gemini).toMatchObject({ configured: false, limits: null, models: [] });
    expect(gemini?.setup).toContain('GEMINI_API_KEY');
    expect(body.items.map((item) => item.id)).toEqual(expect.arrayContaining(['local', 'gemini', 'sdwebui', 'comfyui', 'runpod']));
  });

  it('shows a configured Gemini with both lanes, batch at half price, and never its key', async () => {
    const key = 'AIzaSy-providers-route-canary-key-0042';
    harness = await openApiHarness({ GEMINI_API_KEY: key, GEMINI_RPM: '12' });
    const response = await call(handleListProviders, apiRequest('/api/providers'));
    const text = await response.clone().text();
    expect(text).not.toContain(key);
    const body = await expectJson<ProviderListBody>(response, 200);
    const gemini = body.items.find((item) => item.id === 'gemini');
    expect(gemini).toMatchObject({ configured: true, setup: '', limits: { online: { requestsPerMinute: 12 } } });
    expect(gemini?.limits?.batch).not.toBeNull();
    const model = gemini?.models.find((candidate) => candidate.id === 'nano-banana');
    expect(model?.lanes).toEqual(expect.arrayContaining(['online', 'batch']));
    const price = model?.pricePerImageUsd['1K'];
    expect(price?.batch).toBeCloseTo((price?.online ?? 0) / 2, 6);
  });

  it('lists a web UI\'s checkpoints and LoRAs, and re-reads them on ?refresh=1', async () => {
    const server = await startFakeSdwebuiServer();
    try {
      harness = await openApiHarness({ SDWEBUI_BASE_URL: server.baseUrl });
      const read = async (query = '') => (await expectJson<ProviderListBody>(await call(handleListProviders, apiRequest(`/api/providers${query}`)), 200)).items.find((item) => item.id === 'sdwebui');
      const first = await read();
      expect(first).toMatchObject({ configured: true, loras: fakeLoras });
      expect(first?.models.map((model) => model.id)).toContain('default');
      expect(first?.models[0]).toMatchObject({ seedSupport: 'exact', supportsMask: true });
      server.setLoras(['new_style']);
      expect((await read())?.loras).toEqual(fakeLoras);
      expect((await read('?refresh=1'))?.loras).toEqual(['new_style']);
      expect((await expectJson<ProviderListBody>(await call(handleListProviders, apiRequest('/api/providers')), 200)).items.find((item) => item.id === 'local')).toMatchObject({ configured: true });
    } finally {
      await server.close();
    }
  });

  it('refuses unknown query parameters', async () => {
    harness = await openApiHarness();
    await expectError(await call(handleListProviders, apiRequest('/api/providers?verbose=1')), 400, 'invalid_input', ['verbose']);
    await expectError(await call(handleListProviders, apiRequest('/api/providers?refresh=yes')), 400, 'invalid_input', ['refresh']);
  });
});
