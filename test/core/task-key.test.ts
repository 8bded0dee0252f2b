import { describe, expect, it } from 'vitest';
import { canonicalJson, taskKey, type TaskKeyInput } from '../../src/core/task-key.js';

const base: TaskKeyInput = {
  provider: 'local',
  model: 'local-transform',
  prompt: 'a red chair',
  referenceSha256s: ['ab'.repeat(32)],
  seed: 42,
  imageCount: 4,
  settings: { size: '1K', aspectRatio: '1:1' },
};

describe('taskKey', () => {
  it('is a hex SHA-256 that does not change between runs', () => {
    // Keys are stored; a change here silently re-runs every completed task. Change only on purpose.
    expect(taskKey(base)).toBe('0342490a62ba6710148f1ef954603b18bdd5a4ecc95f22e04515d51b24754895');
  });

  it('does not depend on the order keys were written in', () => {
    const reordered: TaskKeyInput = {
      settings: { aspectRatio: '1:1', size: '1K', providerOptions: { b: { y: 1, x: 2 }, a: [1, 2] } },
      imageCount: 4,
      seed: 42,
      referenceSha256s: ['ab'.repeat(32)],
      prompt: 'a red chair',
      model: 'local-transform',
      provider: 'local',
    };
    const ordered: TaskKeyInput = { ...base, settings: { ...base.settings, providerOptions: { a: [1, 2], b: { x: 2, y: 1 } } } };
    expect(taskKey(reordered)).toBe(taskKey(ordered));
  });

  const changes: [string, Partial<TaskKeyInput>][] = [
    ['provider', { provider: 'gemini' }],
    ['model', { model: 'other' }],
    ['prompt', { prompt: 'a blue chair' }],
    ['reference content', { referenceSha256s: ['cd'.repeat(32)] }],
    ['reference order', { referenceSha256s: ['ab'.repeat(32), 'cd'.repeat(32)] }],
    ['mask', { maskSha256: 'ef'.repeat(32) }],
    ['seed', { seed: 43 }],
    ['no seed', { seed: undefined }],
    ['image count', { imageCount: 2 }],
    ['size', { settings: { ...base.settings, size: '2K' } }],
    ['aspect ratio', { settings: { ...base.settings, aspectRatio: '16:9' } }],
    ['negative prompt', { settings: { ...base.settings, negativePrompt: 'blur' } }],
    ['strength', { settings: { ...base.settings, strength: 0.4 } }],
    ['LoRAs', { settings: { ...base.settings, loras: [{ name: 'ink', weight: 1 }] } }],
    ['provider options', { settings: { ...base.settings, providerOptions: { steps: 30 } } }],
    ['salt (regenerate)', { salt: 'regen-1' }],
    ['occurrence', { occurrence: 1 }],
  ];
  it.each(changes)('changes when the %s changes', (_label, change) => {
    expect(taskKey({ ...base, ...change })).not.toBe(taskKey(base));
  });

  it('treats reversed reference order as a different call', () => {
    const forward = taskKey({ ...base, referenceSha256s: ['a', 'b'] });
    const backward = taskKey({ ...base, referenceSha256s: ['b', 'a'] });
    expect(forward).not.toBe(backward);
  });

  it('ignores empty LoRA lists, empty option bags and occurrence 0, which send the same request', () => {
    expect(taskKey({ ...base, settings: { ...base.settings, loras: [], providerOptions: {} }, occurrence: 0 })).toBe(taskKey(base));
  });

  it('gives a different key for each distinct salt and the same key for the same salt', () => {
    expect(taskKey({ ...base, salt: 'one' })).toBe(taskKey({ ...base, salt: 'one' }));
    expect(taskKey({ ...base, salt: 'one' })).not.toBe(taskKey({ ...base, salt: 'two' }));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
