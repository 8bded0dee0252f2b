/** Shared set-up of the `comfyui` provider tests: a provider pointed at the fake, requests, polling to the end. */
import { createComfyuiProvider, type ComfyuiProvider, type ComfyuiProviderSettings } from '../../../src/providers/comfyui/comfyui-provider.js';
import type { GenerateRequest, GenerateResult, ImageProvider } from '../../../src/providers/contract.js';
import type { FakeComfyuiServer } from '../../fakes/comfyui/fake-comfyui-server.js';

const opened: ComfyuiProvider[] = [];

/** The provider talking to `fake`, its catalog read. Closed by `closeComfyuiProviders`. */
export async function comfyuiFor(fake: FakeComfyuiServer, overrides: Partial<ComfyuiProviderSettings> = {}): Promise<ComfyuiProvider> {
  const provider = createComfyuiProvider({ baseUrl: fake.baseUrl, timeoutMs: 10_000, pollWaitMs: 2_000, ...overrides });
  opened.push(provider);
  await provider.refreshCatalog();
  return provider;
}

export function closeComfyuiProviders(): void {
  for (const provider of opened.splice(0)) provider.close();
}

export function comfyRequest(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    modelId: 'default',
    prompt: 'a teapot on a windowsill',
    references: [],
    n: 1,
    size: '512',
    aspectRatio: '1:1',
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Polls a handle until it is done (or fails the test when the remote job failed). */
export async function pollUntilDone(provider: ImageProvider, handle: string): Promise<GenerateResult> {
  for (;;) {
    const state = await provider.poll!(handle, new AbortController().signal);
    if (state.state === 'done') return state.result;
    if (state.state === 'failed') throw state.error;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
