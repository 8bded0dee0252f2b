import { describe, expect, it } from 'vitest';
import { describeSets } from '../../src/app/studio/_components/batch-arithmetic.js';
import { buildSubmitBody, newPromptDraft, newReferenceDraft } from '../../src/app/studio/_components/composer-draft.js';
import type { ProviderInfo, ProviderModel } from '../../src/app/_lib/api-types.js';
import { loraWeight, maxLoraWeight, minLoraWeight, validateLoras } from '../../src/app/studio/_components/lora-validation.js';
import { switchModel } from '../../src/app/studio/_components/model-switch.js';
import { loraWeightRange } from '../../src/providers/stable-diffusion/lora-check.js';
import { parseSeedInput } from '../../src/app/studio/_components/seed-input.js';
import { restorePreferences } from '../../src/app/studio/_components/studio-preferences.js';
import { submitItemsBodySchema } from '../../src/server/schemas/jobs.js';

describe('studio composer logic', () => {
  it('parses seeds: empty is random, 0..2^32−1 is fixed, anything else says why', () => {
    expect(parseSeedInput('')).toEqual({ kind: 'random' });
    expect(parseSeedInput('  ')).toEqual({ kind: 'random' });
    expect(parseSeedInput('0')).toEqual({ kind: 'fixed', seed: 0 });
    expect(parseSeedInput(' 4294967295 ')).toEqual({ kind: 'fixed', seed: 4294967295 });
    const reasonOf = (text: string) => {
      const parsed = parseSeedInput(text);
      return parsed.kind === 'invalid' ? parsed.reason : `not refused: ${parsed.kind}`;
    };
    expect(reasonOf('-1')).toContain('negative');
    expect(reasonOf('4294967296')).toContain('Too large');
    expect(reasonOf('1.5')).toContain('whole number');
    expect(reasonOf('abc')).toContain('not a number');
    for (const text of ['1e3', '0x10', '12a', '+5']) expect(parseSeedInput(text).kind).toBe('invalid');
  });

  it('says how images fall into sets', () => {
    expect(describeSets(40, 4)).toBe('40 images = 10 sets of 4');
    expect(describeSets(10, 4)).toBe('10 images = 2 sets of 4 + 1 set of 2');
    expect(describeSets(1, 4)).toBe('1 image = 1 set of 1');
    expect(describeSets(3, 2)).toBe('3 images = 1 set of 2 + 1 set of 1');
    expect(describeSets(5, 1)).toBe('5 images = 5 sets of 1');
  });

  it('validates LoRA rows like the API', () => {
    const problems = validateLoras([
      { key: 'a', name: 'film', weightText: '0.8' },
      { key: 'b', name: '', weightText: '1' },
      { key: 'c', name: 'Film', weightText: '6' },
      { key: 'd', name: 'ok', weightText: '' },
    ]);
    expect([...problems.keys()]).toEqual(['b', 'c']);
    expect(problems.get('c')?.name).toContain('twice');
    expect(problems.get('c')?.weight).toContain('-5 to 5');
    expect(loraWeight('-5')).toBe(-5);
    expect(loraWeight('.5')).toBe(0.5);
    expect(loraWeight('5.01')).toBeUndefined();
    expect(loraWeight('x')).toBeUndefined();
    // The browser cannot import the provider's check (it pulls in server code), so the ranges are kept equal here.
    expect([minLoraWeight, maxLoraWeight]).toEqual([loraWeightRange.minimum, loraWeightRange.maximum]);
  });

  it('checks LoRA names against the provider’s list, naming the close match or the known names', () => {
    const known = ['add_detail', 'film_grain_v2', 'watercolor'];
    const problems = validateLoras(
      [
        { key: 'a', name: 'add_detail', weightText: '0.8' },
        { key: 'b', name: 'add_detial', weightText: '1' },
        { key: 'c', name: 'Watercolor.safetensors', weightText: '1' },
      ],
      known,
    );
    expect([...problems.keys()]).toEqual(['b', 'c']);
    expect(problems.get('b')?.name).toBe('“add_detial” is not on this server’s list (add_detail, film_grain_v2, watercolor). Check the spelling, or refresh the list if you just added it.');
    expect(problems.get('c')?.name).toContain('did you mean “watercolor”?');
    expect(validateLoras([{ key: 'a', name: 'x', weightText: '1' }], []).get('a')?.name).toContain('lists no LoRAs');
    // Before the list arrives only the form is checked.
    expect(validateLoras([{ key: 'a', name: 'anything', weightText: '1' }]).size).toBe(0);
  });

  it('drops, and lists, the settings a newly chosen model does not take', () => {
    const capabilities: ProviderModel = {
      id: 'default', aliases: [], displayName: 'Loaded checkpoint', description: '', maxReferenceImages: 1, seedSupport: 'exact', sizes: ['512', '1K', '2K'], aspectRatios: ['1:1', '16:9'],
      supportsMask: true, supportsLora: true, supportsNegativePrompt: true, supportsStrength: true, maxImagesPerCall: 4, lanes: ['online'], pricePerImageUsd: {}, typicalLatencyMs: 1,
    };
    const provider = (id: string, models: ProviderModel[]): ProviderInfo => ({ id, displayName: id, configured: true, setup: '', pausedReason: null, limits: null, models, loras: [], learnedRates: [] });
    const sdwebui = provider('sdwebui', [capabilities]);
    const plain = provider('plain', [{ ...capabilities, id: 'plain-model', seedSupport: 'none', sizes: ['1K', '4K'], aspectRatios: ['1:1'], supportsLora: false, supportsNegativePrompt: false, supportsStrength: false }]);
    const choices = { providerId: 'sdwebui', modelId: 'default', size: '512', aspectRatio: '16:9', negativePrompt: 'blurry', strength: 0.4, loras: [{ key: 'l', name: 'add_detail', weightText: '0.8' }], seedText: '5000' };
    const switched = switchModel(choices, plain, undefined);
    expect(switched.changes).toEqual({ providerId: 'plain', modelId: 'plain-model', size: '1K', aspectRatio: '1:1', negativePrompt: '', strength: null, loras: [], seedText: '' });
    expect(switched.dropped).toEqual(['size 512 (now 1K)', 'aspect ratio 16:9 (now 1:1)', 'negative prompt', 'LoRA add_detail', 'strength', 'seed']);
    const kept = switchModel(choices, sdwebui, 'default');
    expect(kept.changes).toEqual(choices);
    expect(kept.dropped).toEqual([]);
  });

  it('builds a submit body the API accepts: seeds run on across prompts, masks and settings only where the model takes them', () => {
    const reference = newReferenceDraft({ id: 'asset-1', name: 'shoe.png', url: '/api/uploads/asset-1', thumbUrl: '/api/uploads/asset-1/thumb' }, [newPromptDraft('warm', 8), newPromptDraft('cold', 2)]);
    reference.mask = { id: 'mask-1', previewUrl: 'data:' };
    const textOnly = newReferenceDraft(null, [newPromptDraft('abstract', 3), newPromptDraft('   ', 4)]);
    const choices = { providerId: 'local', modelId: 'local-transform', size: '512', aspectRatio: '1:1', batchSize: 4 as const, negativePrompt: 'blurry', strength: 0.4, loras: [{ key: 'l', name: 'film', weightText: '0.5' }], webhookUrl: '' };
    const body = buildSubmitBody({ groupId: 'group-1', drafts: [reference, textOnly], choices, support: { negativePrompt: false, strength: true, mask: true, lora: false }, seed: { kind: 'fixed', seed: 4294967290 } });
    expect(submitItemsBodySchema.parse(body)).toEqual(body);
    expect(body).toMatchObject({ mode: 'studio', groupId: 'group-1', provider: 'local', model: 'local-transform', batchSize: 4, settings: { size: '512', aspectRatio: '1:1', strength: 0.4 } });
    expect(body?.settings).not.toHaveProperty('negativePrompt');
    expect(body?.settings).not.toHaveProperty('loras');
    expect(body).not.toHaveProperty('webhooks');
    expect(buildSubmitBody({ groupId: undefined, drafts: [reference], choices: { ...choices, webhookUrl: ' https://hooks.example.com/studio ' }, support: { negativePrompt: false, strength: false, mask: false, lora: false }, seed: { kind: 'random' } })).toMatchObject({
      webhooks: [{ url: 'https://hooks.example.com/studio' }],
    });
    expect(body?.items).toEqual([
      { prompt: 'warm', count: 8, referenceIds: ['asset-1'], seed: 4294967290, maskId: 'mask-1' },
      { prompt: 'cold', count: 2, referenceIds: ['asset-1'], seed: 2, maskId: 'mask-1' },
      { prompt: 'abstract', count: 3, seed: 4 },
    ]);
    expect(buildSubmitBody({ groupId: undefined, drafts: [reference], choices, support: { negativePrompt: true, strength: true, mask: false, lora: true }, seed: { kind: 'random' } })).toMatchObject({
      settings: { negativePrompt: 'blurry', loras: [{ name: 'film', weight: 0.5 }] },
      items: [{ prompt: 'warm', count: 8, referenceIds: ['asset-1'] }, { prompt: 'cold' }],
    });
    expect(buildSubmitBody({ groupId: undefined, drafts: [reference], choices, support: { negativePrompt: true, strength: true, mask: false, lora: true }, seed: { kind: 'invalid', reason: 'x' } })).toBeUndefined();
    expect(buildSubmitBody({ groupId: undefined, drafts: [textOnly].map((draft) => ({ ...draft, prompts: [newPromptDraft('', 1)] })), choices, support: { negativePrompt: true, strength: true, mask: false, lora: true }, seed: { kind: 'random' } })).toBeUndefined();
  });

  it('restores remembered preferences, ignoring what does not fit', () => {
    expect(restorePreferences(null)).toBeUndefined();
    expect(restorePreferences({ batchSize: 3, strength: 2, size: '2K', loras: [{ key: 'k', name: 'n', weightText: '1' }, { bad: true }], groupId: 7 })).toMatchObject({
      batchSize: 4,
      strength: null,
      size: '2K',
      loras: [{ key: 'k', name: 'n', weightText: '1' }],
      groupId: null,
    });
  });
});
