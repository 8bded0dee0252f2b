import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { jobSpecSchema, parseJobSpec, requestedImageCount, type JobSpec } from '../../src/core/job-spec.js';

function invalidInputFrom(input: unknown): ImagefleetError {
  try {
    parseJobSpec(input);
  } catch (error) {
    if (isImagefleetError(error) && error.code === 'invalid_input') return error;
    throw error;
  }
  throw new Error('expected invalid_input');
}

function issueAt(input: unknown, path: string): string {
  const error = invalidInputFrom(input);
  const issue = error.issues.find((candidate) => candidate.path === path);
  if (!issue) throw new Error(`no issue at ${path}; got ${JSON.stringify(error.issues)}`);
  return issue.message;
}

const automatic = { mode: 'automatic', referenceAssetIds: ['a1', 'a2'], prompt: 'studio photo' };
const studio = { mode: 'studio', items: [{ referenceAssetIds: ['a1'], prompts: [{ text: 'cat', count: 4 }] }] };
const cli = {
  mode: 'cli',
  combos: [{ id: 'chairs/red', referenceAssetIds: ['a1'], variables: { style: 'noir' } }],
  prompts: [{ id: 'prompts/one.txt', text: 'a chair', variables: {} }],
};

describe('defaults', () => {
  it('fills the shared defaults', () => {
    const spec = parseJobSpec(automatic);
    expect(spec).toMatchObject({
      provider: 'local',
      model: 'local-transform',
      settings: { size: '1K', aspectRatio: '1:1' },
      lane: 'online',
      execution: 'parallel',
    });
    expect(spec.seed).toBeUndefined();
    expect(spec.budgetUsd).toBeUndefined();
  });

  it('gives automatic normal priority, batch size 1 and one variation', () => {
    const spec = parseJobSpec(automatic);
    expect(spec.priority).toBe('normal');
    expect(spec.batchSize).toBe(1);
    if (spec.mode !== 'automatic') throw new Error('mode');
    expect(spec.variationsPerImage).toBe(1);
  });

  it('gives studio interactive priority and batch size 4', () => {
    const spec = parseJobSpec(studio);
    expect(spec.priority).toBe('interactive');
    expect(spec.batchSize).toBe(4);
  });

  it('gives cli normal priority, batch size 1 and one image per pair', () => {
    const spec = parseJobSpec(cli);
    expect(spec.priority).toBe('normal');
    expect(spec.batchSize).toBe(1);
    if (spec.mode !== 'cli') throw new Error('mode');
    expect(spec.countPerPair).toBe(1);
  });

  it('keeps explicit values over defaults', () => {
    const spec = parseJobSpec({ ...studio, priority: 'bulk', batchSize: 2, lane: 'batch', execution: 'sequential', settings: { size: '2K' } });
    expect(spec).toMatchObject({ priority: 'bulk', batchSize: 2, lane: 'batch', execution: 'sequential', settings: { size: '2K', aspectRatio: '1:1' } });
  });

  it('defaults a LoRA weight to 1 and variables to empty', () => {
    const spec = parseJobSpec({ ...cli, combos: [{ id: 'c', referenceAssetIds: [] }], settings: { loras: [{ name: 'ink' }] } });
    expect(spec.settings.loras).toEqual([{ name: 'ink', weight: 1 }]);
    if (spec.mode !== 'cli') throw new Error('mode');
    expect(spec.combos[0]?.variables).toEqual({});
  });
});

describe('validation errors name the field', () => {
  it('throws invalid_input', () => {
    expect(invalidInputFrom({}).code).toBe('invalid_input');
  });

  it('refuses an unknown mode', () => {
    expect(issueAt({ ...automatic, mode: 'turbo' }, 'mode')).toBe('must be one of automatic, studio, cli');
  });

  it.each([0, 1001, 2.5, '3'])('refuses a studio count of %s at items.0.prompts.1.count', (count) => {
    const input = { mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'a', count: 1 }, { text: 'b', count }] }] };
    const error = invalidInputFrom(input);
    expect(error.issues.map((issue) => issue.path)).toContain('items.0.prompts.1.count');
  });

  it('states the seed range for the job seed and a prompt seed', () => {
    expect(issueAt({ ...automatic, seed: 4294967296 }, 'seed')).toContain('0 to 4294967295');
    expect(issueAt({ ...automatic, seed: -1 }, 'seed')).toContain('0 to 4294967295');
    const badPromptSeed = { mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'a', count: 1, seed: 1.5 }] }] };
    expect(issueAt(badPromptSeed, 'items.0.prompts.0.seed')).toContain('0 to 4294967295');
  });

  it('accepts the seed extremes', () => {
    expect(parseJobSpec({ ...automatic, seed: 0 }).seed).toBe(0);
    expect(parseJobSpec({ ...automatic, seed: 4294967295 }).seed).toBe(4294967295);
  });

  it('refuses a blank, empty or too long prompt', () => {
    expect(issueAt({ ...automatic, prompt: '   ' }, 'prompt')).toContain('blank');
    expect(issueAt({ ...automatic, prompt: '' }, 'prompt')).toContain('empty');
    expect(issueAt({ ...automatic, prompt: 'x'.repeat(10_001) }, 'prompt')).toContain('10,000');
    expect(parseJobSpec({ ...automatic, prompt: 'x'.repeat(10_000) }).mode).toBe('automatic');
  });

  it('bounds automatic references and variations', () => {
    expect(issueAt({ ...automatic, referenceAssetIds: [] }, 'referenceAssetIds')).toContain('at least one');
    const tooMany = Array.from({ length: 20_001 }, (_, index) => `asset-${index}`);
    expect(issueAt({ ...automatic, referenceAssetIds: tooMany }, 'referenceAssetIds')).toContain('20,000');
    expect(issueAt({ ...automatic, variationsPerImage: 101 }, 'variationsPerImage')).toContain('1 to 100');
    expect(issueAt({ ...automatic, variationsPerImage: 0 }, 'variationsPerImage')).toContain('1 to 100');
    expect(issueAt({ ...automatic, referenceAssetIds: ['a', ''] }, 'referenceAssetIds.1')).toContain('non-empty');
  });

  it('bounds the shared fields', () => {
    expect(issueAt({ ...automatic, name: 'n'.repeat(201) }, 'name')).toContain('200');
    expect(issueAt({ ...automatic, budgetUsd: 0 }, 'budgetUsd')).toContain('more than 0');
    expect(issueAt({ ...automatic, batchSize: 3 }, 'batchSize')).toBe('must be 1, 2 or 4');
    expect(issueAt({ ...automatic, lane: 'express' }, 'lane')).toBeTruthy();
    expect(issueAt({ ...automatic, priority: 'urgent' }, 'priority')).toBeTruthy();
    expect(issueAt({ ...automatic, execution: 'random' }, 'execution')).toBeTruthy();
    expect(issueAt({ ...automatic, settings: { size: '8K' } }, 'settings.size')).toBeTruthy();
    expect(issueAt({ ...automatic, settings: { aspectRatio: '7:5' } }, 'settings.aspectRatio')).toBeTruthy();
    expect(issueAt({ ...automatic, settings: { strength: 1.1 } }, 'settings.strength')).toContain('0 to 1');
    expect(issueAt({ ...automatic, settings: { loras: [{ name: 'ink', weight: 6 }] } }, 'settings.loras.0.weight')).toContain('-5 to 5');
    expect(issueAt({ ...automatic, settings: { loras: [{ name: 'ink', weight: -5.5 }] } }, 'settings.loras.0.weight')).toContain('-5 to 5');
  });

  it('refuses unknown fields so typos do not silently fall back to defaults', () => {
    const error = invalidInputFrom({ ...automatic, variationPerImage: 4 });
    expect(error.message).toContain('variationPerImage');
  });

  it('refuses studio jobs without items or prompts', () => {
    expect(issueAt({ mode: 'studio', items: [] }, 'items')).toContain('at least one item');
    expect(issueAt({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [] }] }, 'items.0.prompts')).toContain('at least one prompt');
  });

  it('accepts a studio item without references (text-to-image) and refuses a mask without one', () => {
    expect(parseJobSpec({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'a', count: 1 }] }] }).mode).toBe('studio');
    const masked = { mode: 'studio', items: [{ referenceAssetIds: [], maskAssetId: 'm', prompts: [{ text: 'a', count: 1 }] }] };
    expect(issueAt(masked, 'items.0.maskAssetId')).toContain('reference');
  });

  it('refuses duplicate combo and prompt ids', () => {
    const combos = [
      { id: 'c', referenceAssetIds: [], variables: {} },
      { id: 'c', referenceAssetIds: [], variables: {} },
    ];
    expect(issueAt({ ...cli, combos }, 'combos.1.id')).toContain('duplicate id "c"');
    const prompts = [
      { id: 'p', text: 'x', variables: {} },
      { id: 'q', text: 'y', variables: {} },
      { id: 'p', text: 'z', variables: {} },
    ];
    expect(issueAt({ ...cli, prompts }, 'prompts.2.id')).toContain('prompts.0.id');
  });

  it('bounds countPerPair', () => {
    expect(issueAt({ ...cli, countPerPair: 101 }, 'countPerPair')).toContain('1 to 100');
  });

  it('reports several problems at once', () => {
    const error = invalidInputFrom({ ...automatic, prompt: ' ', seed: -1, variationsPerImage: 0 });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['prompt', 'seed', 'variationsPerImage']);
  });

  it('caps the number of issues listed for huge inputs', () => {
    const error = invalidInputFrom({ ...automatic, referenceAssetIds: Array.from({ length: 5_000 }, () => '') });
    expect(error.issues).toHaveLength(101);
    expect(error.issues[100]?.message).toContain('4,900 more');
  });
});

describe('CLI prompt template', () => {
  it('accepts {prompt}, built-ins and variables every pair has', () => {
    const spec = parseJobSpec({ ...cli, promptTemplate: '{prompt} in {style} ({combo}/{prompt_id}) {{braces}}' });
    if (spec.mode !== 'cli') throw new Error('mode');
    expect(spec.promptTemplate).toContain('{style}');
  });

  it('names unknown placeholders', () => {
    const message = issueAt({ ...cli, promptTemplate: '{prompt} by {artist} on {paper}' }, 'promptTemplate');
    expect(message).toContain('{artist}');
    expect(message).toContain('{paper}');
    expect(message).toContain('known: {prompt}');
  });

  it('names a placeholder only some pairs provide, with a pair that lacks it', () => {
    const input = {
      ...cli,
      combos: [
        { id: 'c1', referenceAssetIds: [], variables: { style: 'noir' } },
        { id: 'c2', referenceAssetIds: [], variables: {} },
      ],
      prompts: [
        { id: 'p1', text: 'x', variables: { style: 'pop' } },
        { id: 'p2', text: 'y', variables: {} },
      ],
      promptTemplate: '{prompt} {style}',
    };
    expect(issueAt(input, 'promptTemplate')).toContain('{style} (missing for combo "c2" × prompt "p2")');
  });

  it('accepts a variable that every prompt has even when no combo has it', () => {
    const input = {
      ...cli,
      combos: [{ id: 'c', referenceAssetIds: [], variables: {} }],
      prompts: [{ id: 'p', text: 'x', variables: { mood: 'calm' } }],
      promptTemplate: '{prompt} {mood}',
    };
    expect(parseJobSpec(input).mode).toBe('cli');
  });

  it('refuses a malformed template', () => {
    expect(issueAt({ ...cli, promptTemplate: '{prompt' }, 'promptTemplate')).toContain('unclosed');
  });
});

describe('the 100,000-image limit', () => {
  it('says how many images were asked for', () => {
    const references = Array.from({ length: 2_000 }, (_, index) => `asset-${index}`);
    const error = invalidInputFrom({ ...automatic, referenceAssetIds: references, variationsPerImage: 75 });
    expect(error.message).toContain('150,000 images');
    expect(error.message).toContain('100,000');
  });

  it('counts the cli cartesian product', () => {
    const combos = Array.from({ length: 1_001 }, (_, index) => ({ id: `c${index}`, referenceAssetIds: [], variables: {} }));
    const prompts = Array.from({ length: 10 }, (_, index) => ({ id: `p${index}`, text: 't', variables: {} }));
    expect(invalidInputFrom({ ...cli, combos, prompts, countPerPair: 10 }).message).toContain('100,100 images');
  });

  it('allows exactly 100,000', () => {
    const references = Array.from({ length: 1_000 }, (_, index) => `asset-${index}`);
    const spec = parseJobSpec({ ...automatic, referenceAssetIds: references, variationsPerImage: 100 });
    expect(requestedImageCount(spec)).toBe(100_000);
  });
});

describe('requestedImageCount', () => {
  it('counts each mode', () => {
    expect(requestedImageCount(parseJobSpec({ ...automatic, variationsPerImage: 3 }))).toBe(6);
    const studioSpec = parseJobSpec({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'a', count: 40 }, { text: 'b', count: 3 }] }, { referenceAssetIds: [], prompts: [{ text: 'c', count: 2 }] }] });
    expect(requestedImageCount(studioSpec)).toBe(45);
    const cliSpec: JobSpec = parseJobSpec({
      ...cli,
      combos: [cli.combos[0], { id: 'b', referenceAssetIds: [], variables: {} }],
      prompts: [cli.prompts[0], { id: 'q', text: 't', variables: {} }, { id: 'r', text: 't', variables: {} }],
      countPerPair: 4,
    });
    expect(requestedImageCount(cliSpec)).toBe(24);
  });
});

describe('documentation', () => {
  it('describes every field, so the OpenAPI docs are complete', () => {
    const undocumented: string[] = [];
    let checked = 0;
    const visit = (node: unknown, path: string) => {
      if (Array.isArray(node)) {
        node.forEach((child, index) => visit(child, `${path}[${index}]`));
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      const properties = record.properties;
      if (properties && typeof properties === 'object') {
        for (const [name, property] of Object.entries(properties as Record<string, unknown>)) {
          checked += 1;
          const described = typeof (property as { description?: unknown }).description === 'string';
          if (!described) undocumented.push(`${path}.${name}`);
        }
      }
      for (const [key, child] of Object.entries(record)) visit(child, `${path}.${key}`);
    };
    visit(z.toJSONSchema(jobSpecSchema, { io: 'input' }), '$');
    expect(undocumented).toEqual([]);
    // Guards the walk itself: three modes with their nested objects have well over 50 fields.
    expect(checked).toBeGreaterThan(50);
  });

  it('states defaults in the descriptions of defaulted fields', () => {
    const schema = JSON.stringify(z.toJSONSchema(jobSpecSchema, { io: 'input' }));
    expect(schema).toContain('Default: 1K');
    expect(schema).toContain('Default: interactive');
    expect(schema).toContain('Default: 4');
  });
});
