/** Shared set-up of the `sdwebui` provider tests: a provider pointed at the fake, requests, references. */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { GenerateRequest, ProviderImageInput } from '../../../src/providers/contract.js';
import { createSdwebuiProvider, type SdwebuiProvider, type SdwebuiProviderSettings } from '../../../src/providers/sdwebui/sdwebui-provider.js';
import { afterEach } from 'vitest';
import { startFakeSdwebuiServer, type FakeSdwebuiServer, type FakeSdwebuiServerOptions } from '../../fakes/sdwebui/fake-sdwebui-server.js';

/** A password that must never show up in an error message. */
export const canaryPassword = 'CANARY-pass-7c1e-never-print-me';

/** The provider talking to `fake`, its catalog read. */
export async function sdwebuiFor(fake: FakeSdwebuiServer, overrides: Partial<SdwebuiProviderSettings> = {}): Promise<SdwebuiProvider> {
  const provider = createSdwebuiProvider({ baseUrl: fake.baseUrl, timeoutMs: 10_000, maxImagesPerCall: 4, progressIntervalMs: 20, ...overrides });
  await provider.refreshCatalog();
  return provider;
}

/** A generate request with sensible defaults. */
export function sdRequest(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    modelId: 'default',
    prompt: 'a lighthouse at dusk',
    references: [],
    n: 1,
    size: '512',
    aspectRatio: '1:1',
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A solid-colour PNG input (a reference or, in white and black, a mask). */
export async function pngInput(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<ProviderImageInput> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
  return { bytes: new Uint8Array(bytes), mediaType: 'image/png', sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Call inside a `describe`: returns `start(options)`, which opens a fake A1111 server that is closed after each test. */
export function fakeSdwebuiPerTest(): (options?: FakeSdwebuiServerOptions) => Promise<FakeSdwebuiServer> {
  let fake: FakeSdwebuiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return async (options = {}) => (fake = await startFakeSdwebuiServer(options));
}
