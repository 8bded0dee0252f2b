import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import type { ImageProvider } from '../../src/providers/contract.js';
import { createLocalProvider } from '../../src/providers/local/local-provider.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { thrownBy } from '../support/thrown-by.js';

function fakeProvider(id: string, displayName = id): ImageProvider {
  return {
    id,
    displayName,
    models: () => [],
    credentialFingerprint: () => undefined,
    generate: () => Promise.reject(new Error('not used')),
  };
}


describe('ProviderRegistry', () => {
  it('registers providers and finds them by id, listing them in registration order', () => {
    const registry = new ProviderRegistry();
    const local = createLocalProvider({});
    const gemini = fakeProvider('gemini');
    registry.register(local);
    registry.register(gemini);
    expect(registry.get('local')).toBe(local);
    expect(registry.get('gemini')).toBe(gemini);
    expect(registry.has('local')).toBe(true);
    expect(registry.has('runpod')).toBe(false);
    expect(registry.list()).toEqual([local, gemini]);
  });

  it('refuses to register a second provider with the same id', () => {
    const registry = new ProviderRegistry();
    registry.register(fakeProvider('gemini', 'first'));
    const error = thrownBy(() => registry.register(fakeProvider('gemini', 'second')));
    expect(isImagefleetError(error) && error.code).toBe('conflict');
    expect(registry.get('gemini').displayName).toBe('first');
  });

  it('replaces a provider in place, and adds one that was missing', () => {
    const registry = new ProviderRegistry();
    registry.register(fakeProvider('local'));
    registry.register(fakeProvider('gemini', 'old key'));
    registry.register(fakeProvider('sdwebui'));
    const rebuilt = fakeProvider('gemini', 'new key');
    registry.replace(rebuilt);
    expect(registry.get('gemini')).toBe(rebuilt);
    expect(registry.list().map((provider) => `${provider.id}:${provider.displayName}`)).toEqual(['local:local', 'gemini:new key', 'sdwebui:sdwebui']);
    registry.replace(fakeProvider('runpod'));
    expect(registry.has('runpod')).toBe(true);
  });

  it('fails for an unknown id with invalid_input listing the known ids', () => {
    const registry = new ProviderRegistry();
    registry.register(fakeProvider('local'));
    registry.register(fakeProvider('gemini'));
    const error = thrownBy(() => registry.get('dalle'));
    expect(isImagefleetError(error)).toBe(true);
    if (!isImagefleetError(error)) return;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('"dalle"');
    expect(error.message).toContain('local, gemini');
    expect(error.issues[0]?.path).toBe('provider');
  });

  it('keeps registries independent (no shared global state)', () => {
    const first = new ProviderRegistry();
    const second = new ProviderRegistry();
    first.register(fakeProvider('local'));
    expect(second.has('local')).toBe(false);
    expect(second.list()).toEqual([]);
  });

  it('returns a copy from list(), so callers cannot change the registry through it', () => {
    const registry = new ProviderRegistry();
    registry.register(fakeProvider('local'));
    registry.list().pop();
    expect(registry.list()).toHaveLength(1);
  });
});
