import { describe, expect, it } from 'vitest';
import { laneOfLimitKeyText, limitKey, limitKeyText, parseLimitKey, pauseScopesOf, providerKeyText } from '../../src/core/limit-key.js';

describe('limit keys', () => {
  it('writes the stored text forms: provider:model online, provider:model@batch for the batch lane', () => {
    expect(limitKeyText(limitKey('gemini', 'gemini-2.5-flash-image'))).toBe('gemini:gemini-2.5-flash-image');
    expect(limitKeyText(limitKey('gemini', 'gemini-2.5-flash-image', 'batch'))).toBe('gemini:gemini-2.5-flash-image@batch');
    expect(providerKeyText('openai', 'gpt-image-1')).toBe('openai:gpt-image-1');
  });

  it('parses its own text back, splitting at the first colon so model ids may contain colons', () => {
    for (const key of [limitKey('gemini', 'imagen-4'), limitKey('gemini', 'imagen-4', 'batch'), limitKey('runpod', 'flux:dev:fp8')]) {
      expect(parseLimitKey(limitKeyText(key))).toEqual(key);
    }
    expect(parseLimitKey('runpod:flux:dev@batch')).toEqual({ providerId: 'runpod', modelId: 'flux:dev', lane: 'batch' });
  });

  it('refuses text that is not a model key (a provider-wide scope, empty parts)', () => {
    expect(parseLimitKey('gemini')).toBeUndefined();
    expect(parseLimitKey(':model')).toBeUndefined();
    expect(parseLimitKey('gemini:')).toBeUndefined();
    expect(parseLimitKey('gemini:@batch')).toBeUndefined();
  });

  it('tells the lane of a key text', () => {
    expect(laneOfLimitKeyText('gemini:imagen-4@batch')).toBe('batch');
    expect(laneOfLimitKeyText('gemini:imagen-4')).toBe('online');
  });

  it('lists every scope whose pause stops a model: the provider, the model online and its batch lane', () => {
    expect(pauseScopesOf('gemini', 'imagen-4')).toEqual(['gemini', 'gemini:imagen-4', 'gemini:imagen-4@batch']);
  });
});
