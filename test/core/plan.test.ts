import { describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { estimatePlan } from '../../src/core/estimate.js';
import { parseJobSpec, type JobSpec } from '../../src/core/job-spec.js';
import { negativePromptDroppedWarning, plan, seedDroppedWarning, strengthDroppedWarning, type Plan, type PlanContext } from '../../src/core/plan.js';
import type { PlannedTask } from '../../src/core/task.js';
import type { ModelCapabilities } from '../../src/providers/contract.js';

function capabilities(overrides: Partial<ModelCapabilities> = {}): ModelCapabilities {
  return {
    modelId: 'local-transform',
    displayName: 'Local transform',
    description: 'Offline test model',
    maxReferenceImages: 4,
    seedSupport: 'exact',
    sizes: ['512', '1K', '2K'],
    aspectRatios: ['1:1', '16:9'],
    supportsMask: false,
    supportsLora: false,
    supportsNegativePrompt: false,
    supportsStrength: false,
    maxImagesPerCall: 4,
    lanes: ['online', 'batch'],
    pricePerImageUsd: { '512': { online: 0.01 }, '1K': { online: 0.04, batch: 0.02 }, '2K': { online: 0.1, batch: 0.05 } },
    typicalLatencyMs: 1_000,
    ...overrides,
  };
}

/** A deterministic [0, 1) source that records how often it was drawn from. */
function countingRandom(values: number[]) {
  const source = { draws: 0, next: () => values[source.draws++ % values.length] ?? 0 };
  return source;
}

const assetIds = ['a0', 'a1', 'a2', 'a3', 'a4', 'm0'];

function context(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    capabilities: capabilities(),
    assetSha256ById: new Map(assetIds.map((id) => [id, `sha-of-${id}`])),
    requestsPerMinute: 0,
    maxConcurrency: 4,
    random: () => 0.5,
    ...overrides,
  };
}

function planOf(input: Record<string, unknown>, overrides: Partial<PlanContext> = {}): Plan {
  return plan(parseJobSpec(input), context(overrides));
}

function planError(input: Record<string, unknown>, overrides: Partial<PlanContext> = {}): ImagefleetError {
  try {
    planOf(input, overrides);
  } catch (error) {
    if (isImagefleetError(error)) return error;
    throw error;
  }
  throw new Error('expected plan() to throw');
}

function studio(prompts: Record<string, unknown>[], extra: Record<string, unknown> = {}, itemExtra: Record<string, unknown> = {}) {
  return { mode: 'studio', items: [{ referenceAssetIds: ['a0'], prompts, ...itemExtra }], ...extra };
}

const sum = (tasks: PlannedTask[]) => tasks.reduce((total, task) => total + task.imageCount, 0);

describe('automatic expansion', () => {
  it('makes every reference × variationsPerImage, one reference per task', () => {
    const { tasks, estimate } = planOf({ mode: 'automatic', referenceAssetIds: ['a0', 'a1', 'a2'], prompt: 'on a beach', variationsPerImage: 2 });
    expect(tasks).toHaveLength(6);
    expect(tasks.map((task) => task.referenceAssetIds)).toEqual([['a0'], ['a0'], ['a1'], ['a1'], ['a2'], ['a2']]);
    expect(tasks.every((task) => task.imageCount === 1 && task.prompt === 'on a beach' && task.promptId === 'prompt')).toBe(true);
    expect(tasks.map((task) => task.ordinal)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tasks[3]?.variables).toEqual({ prompt_id: 'prompt', reference_index: '1', set: '1', index: '1' });
    expect(estimate).toMatchObject({ taskCount: 6, imageCount: 6 });
  });

  it('groups a reference’s variations by batch size when the model returns several images per call', () => {
    const { tasks } = planOf({ mode: 'automatic', referenceAssetIds: ['a0', 'a1'], prompt: 'p', variationsPerImage: 5, batchSize: 2 });
    expect(tasks.map((task) => task.imageCount)).toEqual([2, 2, 1, 2, 2, 1]);
    expect(tasks.map((task) => task.setIndex)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(sum(tasks)).toBe(10);
  });

  it('does not share reference arrays between tasks', () => {
    const { tasks } = planOf(studio([{ text: 'p', count: 8 }]));
    expect(tasks[0]?.referenceAssetIds).toEqual(tasks[1]?.referenceAssetIds);
    expect(tasks[0]?.referenceAssetIds).not.toBe(tasks[1]?.referenceAssetIds);
  });
});

describe('studio sets', () => {
  it('makes 40 images in sets of 4 = 10 sets', () => {
    const { tasks, estimate } = planOf(studio([{ text: 'cat', count: 40 }]));
    expect(tasks).toHaveLength(10);
    expect(tasks.map((task) => task.setIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tasks.every((task) => task.imageCount === 4)).toBe(true);
    expect(estimate.imageCount).toBe(40);
  });

  it('splits a set of 4 into 4 calls when the model returns one image per call', () => {
    const { tasks } = planOf(studio([{ text: 'cat', count: 4 }]), { capabilities: capabilities({ maxImagesPerCall: 1 }) });
    expect(tasks).toHaveLength(4);
    expect(tasks.map((task) => [task.setIndex, task.imageCount])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(tasks.map((task) => task.variables.index)).toEqual(['0', '1', '2', '3']);
  });

  it('ends with a partial set and splits sets by the model’s per-call maximum', () => {
    const { tasks } = planOf(studio([{ text: 'cat', count: 10 }]), { capabilities: capabilities({ maxImagesPerCall: 3 }) });
    expect(tasks.map((task) => [task.setIndex, task.imageCount])).toEqual([
      [0, 3],
      [0, 1],
      [1, 3],
      [1, 1],
      [2, 2],
    ]);
  });

  it('walks items, then prompts, in order, numbering sets within each prompt', () => {
    const input = {
      mode: 'studio',
      batchSize: 2,
      items: [
        { referenceAssetIds: ['a0'], prompts: [{ text: 'one', count: 4 }, { id: 'mine', text: 'two', count: 1 }] },
        { referenceAssetIds: [], prompts: [{ text: 'three', count: 2 }] },
      ],
    };
    const { tasks } = planOf(input);
    expect(tasks.map((task) => [task.promptId, task.setIndex, task.imageCount])).toEqual([
      ['item-0-prompt-0', 0, 2],
      ['item-0-prompt-0', 1, 2],
      ['mine', 0, 1],
      ['item-1-prompt-0', 0, 2],
    ]);
    expect(tasks[3]?.referenceAssetIds).toEqual([]);
    expect(tasks[2]?.variables).toEqual({ prompt_id: 'mine', item: '0', set: '0', index: '0' });
    expect(tasks.map((task) => task.ordinal)).toEqual([0, 1, 2, 3]);
  });
});

describe('cli expansion', () => {
  const combos = [
    { id: 'chairs/red', referenceAssetIds: ['a0'], variables: { category: 'chairs', color: 'red' } },
    { id: 'chairs/blue', referenceAssetIds: ['a1', 'a2'], variables: { category: 'chairs', color: 'blue' } },
    { id: 'lamps/green', referenceAssetIds: [], variables: { category: 'lamps', color: 'green' } },
  ];
  const prompts = [
    { id: 'studio.txt', text: 'studio shot', variables: { light: 'soft' } },
    { id: 'night.txt', text: 'night scene', variables: { light: 'neon', color: 'black' } },
  ];

  it('makes combos × prompts × countPerPair, combo-major', () => {
    const { tasks } = planOf({ mode: 'cli', combos, prompts, countPerPair: 2 });
    expect(tasks).toHaveLength(12);
    expect(tasks.map((task) => `${task.variables.combo}|${task.promptId}`)).toEqual([
      'chairs/red|studio.txt',
      'chairs/red|studio.txt',
      'chairs/red|night.txt',
      'chairs/red|night.txt',
      'chairs/blue|studio.txt',
      'chairs/blue|studio.txt',
      'chairs/blue|night.txt',
      'chairs/blue|night.txt',
      'lamps/green|studio.txt',
      'lamps/green|studio.txt',
      'lamps/green|night.txt',
      'lamps/green|night.txt',
    ]);
    expect(tasks[4]?.referenceAssetIds).toEqual(['a1', 'a2']);
  });

  it('merges variables with the prompt’s overriding the combo’s', () => {
    const { tasks } = planOf({ mode: 'cli', combos, prompts });
    expect(tasks[0]?.variables).toEqual({ category: 'chairs', color: 'red', light: 'soft', combo: 'chairs/red', prompt_id: 'studio.txt', set: '0', index: '0' });
    expect(tasks[1]?.variables).toMatchObject({ color: 'black', light: 'neon', prompt_id: 'night.txt' });
  });

  it('applies the template to each pair', () => {
    const { tasks } = planOf({ mode: 'cli', combos, prompts, promptTemplate: '{prompt}: a {color} {category} item, {light} light ({{v2}})' });
    expect(tasks.map((task) => task.prompt)).toEqual([
      'studio shot: a red chairs item, soft light ({v2})',
      'night scene: a black chairs item, neon light ({v2})',
      'studio shot: a blue chairs item, soft light ({v2})',
      'night scene: a black chairs item, neon light ({v2})',
      'studio shot: a green lamps item, soft light ({v2})',
      'night scene: a black lamps item, neon light ({v2})',
    ]);
  });

  it('sends prompts unchanged without a template', () => {
    const { tasks } = planOf({ mode: 'cli', combos: [{ id: 'c', referenceAssetIds: [], variables: { x: '1' } }], prompts: [{ id: 'p', text: 'keep {x} as is', variables: {} }] });
    expect(tasks[0]?.prompt).toBe('keep {x} as is');
  });
});

describe('seeds', () => {
  it('gives seed, seed+1, … across a prompt’s images; each task carries its first image’s seed', () => {
    const { tasks } = planOf(studio([{ text: 'p', count: 6 }], { seed: 100, batchSize: 2 }));
    expect(tasks.map((task) => task.seed)).toEqual([100, 102, 104]);
  });

  it('numbers every image when the model returns one per call', () => {
    const { tasks } = planOf(studio([{ text: 'p', count: 4 }], { seed: 7 }), { capabilities: capabilities({ maxImagesPerCall: 1 }) });
    expect(tasks.map((task) => task.seed)).toEqual([7, 8, 9, 10]);
  });

  it('restarts the job seed for each prompt and lets a prompt seed override it', () => {
    const { tasks } = planOf(studio([{ text: 'a', count: 8 }, { text: 'b', count: 4, seed: 500 }, { text: 'c', count: 4 }], { seed: 10 }));
    expect(tasks.map((task) => [task.prompt, task.seed])).toEqual([
      ['a', 10],
      ['a', 14],
      ['b', 500],
      ['c', 10],
    ]);
  });

  it('wraps at 2^32', () => {
    const { tasks } = planOf(studio([{ text: 'p', count: 4 }], { seed: 4294967294 }), { capabilities: capabilities({ maxImagesPerCall: 1 }) });
    expect(tasks.map((task) => task.seed)).toEqual([4294967294, 4294967295, 0, 1]);
  });

  it('continues one automatic prompt’s sequence across references', () => {
    const { tasks } = planOf({ mode: 'automatic', referenceAssetIds: ['a0', 'a1'], prompt: 'p', variationsPerImage: 3, seed: 1 });
    expect(tasks.map((task) => task.seed)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('continues a cli prompt’s sequence across combos', () => {
    const input = {
      mode: 'cli',
      seed: 50,
      countPerPair: 2,
      combos: [
        { id: 'c1', referenceAssetIds: [], variables: {} },
        { id: 'c2', referenceAssetIds: [], variables: {} },
      ],
      prompts: [
        { id: 'p1', text: 'x', variables: {} },
        { id: 'p2', text: 'y', variables: {} },
      ],
    };
    const { tasks } = planOf(input);
    expect(tasks.map((task) => `${task.variables.combo}/${task.promptId}:${task.seed}`)).toEqual([
      'c1/p1:50',
      'c1/p1:51',
      'c1/p2:50',
      'c1/p2:51',
      'c2/p1:52',
      'c2/p1:53',
      'c2/p2:52',
      'c2/p2:53',
    ]);
  });

  it('draws one random seed per call from the injected source, in order', () => {
    const random = countingRandom([0.25, 0.5, 0.75]);
    const { tasks, warnings } = planOf(studio([{ text: 'p', count: 12 }]), { random: random.next });
    expect(random.draws).toBe(3);
    expect(tasks.map((task) => task.seed)).toEqual([2 ** 30, 2 ** 31, 3 * 2 ** 30]);
    expect(warnings).toEqual([]);
  });

  it('drops seeds with a warning when the model has none, without drawing random numbers', () => {
    const random = countingRandom([0.1]);
    const { tasks, warnings } = planOf(studio([{ text: 'p', count: 8 }], { seed: 3 }), { capabilities: capabilities({ seedSupport: 'none' }), random: random.next });
    expect(tasks.map((task) => task.seed)).toEqual([undefined, undefined]);
    expect(warnings).toEqual([seedDroppedWarning]);
    expect(seedDroppedWarning).toBe('seed: not supported by this model — regenerate means re-roll');
    expect(random.draws).toBe(0);
  });

  it('warns about a dropped per-prompt seed too, and not at all when no seed was given', () => {
    const none = capabilities({ seedSupport: 'none' });
    expect(planOf(studio([{ text: 'p', count: 1, seed: 9 }]), { capabilities: none }).warnings).toEqual([seedDroppedWarning]);
    expect(planOf(studio([{ text: 'p', count: 1 }]), { capabilities: none }).warnings).toEqual([]);
  });

  it('keeps given seeds on best-effort models', () => {
    const { tasks, warnings } = planOf(studio([{ text: 'p', count: 4 }], { seed: 11 }), { capabilities: capabilities({ seedSupport: 'best-effort' }) });
    expect(tasks[0]?.seed).toBe(11);
    expect(warnings).toEqual([]);
  });
});

describe('capability checks', () => {
  function issuePaths(error: ImagefleetError): string[] {
    return error.issues.map((issue) => issue.path);
  }

  it('refuses a size the model does not offer, listing the allowed ones', () => {
    const error = planError(studio([{ text: 'p', count: 1 }], { settings: { size: '4K' } }));
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toEqual([{ path: 'settings.size', message: 'size 4K is not offered by model "local-transform"; allowed: 512, 1K, 2K' }]);
  });

  it('refuses an aspect ratio the model does not offer, listing the allowed ones', () => {
    const error = planError(studio([{ text: 'p', count: 1 }], { settings: { aspectRatio: '9:16' } }));
    expect(error.issues[0]?.path).toBe('settings.aspectRatio');
    expect(error.issues[0]?.message).toContain('allowed: 1:1, 16:9');
  });

  it('refuses a lane the model does not offer, or does not offer at this size', () => {
    const onlineOnly = capabilities({ lanes: ['online'] });
    expect(planError(studio([{ text: 'p', count: 1 }], { lane: 'batch' }), { capabilities: onlineOnly }).issues[0]).toMatchObject({ path: 'lane' });
    const error = planError(studio([{ text: 'p', count: 1 }], { lane: 'batch', settings: { size: '512' } }));
    expect(error.issues).toEqual([{ path: 'lane', message: 'lane batch is not offered by model "local-transform" at size 512' }]);
  });

  it('refuses more references than the model accepts, naming the item or combo', () => {
    const two = capabilities({ maxReferenceImages: 2 });
    const studioInput = {
      mode: 'studio',
      items: [
        { referenceAssetIds: ['a0'], prompts: [{ text: 'p', count: 1 }] },
        { referenceAssetIds: ['a0', 'a1', 'a2'], prompts: [{ text: 'p', count: 1 }] },
      ],
    };
    const studioError = planError(studioInput, { capabilities: two });
    expect(issuePaths(studioError)).toEqual(['items.1.referenceAssetIds']);
    expect(studioError.issues[0]?.message).toContain('3 reference images, but model "local-transform" accepts at most 2');
    const cliInput = { mode: 'cli', combos: [{ id: 'c', referenceAssetIds: ['a0', 'a1', 'a2'], variables: {} }], prompts: [{ id: 'p', text: 't', variables: {} }] };
    expect(issuePaths(planError(cliInput, { capabilities: two }))).toEqual(['combos.0.referenceAssetIds']);
    const automaticInput = { mode: 'automatic', referenceAssetIds: ['a0'], prompt: 'p' };
    expect(planError(automaticInput, { capabilities: capabilities({ maxReferenceImages: 0 }) }).issues[0]?.path).toBe('referenceAssetIds');
  });

  it('refuses a mask on a model without masks, and carries it on one with them', () => {
    const masked = studio([{ text: 'p', count: 1 }], {}, { maskAssetId: 'm0' });
    expect(issuePaths(planError(masked))).toEqual(['items.0.maskAssetId']);
    const { tasks } = planOf(masked, { capabilities: capabilities({ supportsMask: true }) });
    expect(tasks[0]?.maskAssetId).toBe('m0');
  });

  it('refuses LoRAs on a model without them, and accepts them on one with them', () => {
    const withLora = studio([{ text: 'p', count: 1 }], { settings: { loras: [{ name: 'ink', weight: 0.8 }] } });
    expect(planError(withLora).issues[0]?.path).toBe('settings.loras');
    expect(planOf(withLora, { capabilities: capabilities({ supportsLora: true }) }).tasks).toHaveLength(1);
  });

  it('drops a negative prompt and a strength with warnings, leaving keys as if they were never given', () => {
    const plain = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }));
    const extra = planOf(studio([{ text: 'p', count: 4 }], { seed: 1, settings: { negativePrompt: 'blur', strength: 0.3 } }));
    expect(extra.warnings).toEqual([negativePromptDroppedWarning, strengthDroppedWarning]);
    expect(extra.tasks[0]?.key).toBe(plain.tasks[0]?.key);
  });

  it('keeps a supported negative prompt and strength, which change the key', () => {
    const supporting = capabilities({ supportsNegativePrompt: true, supportsStrength: true });
    const plain = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }), { capabilities: supporting });
    const extra = planOf(studio([{ text: 'p', count: 4 }], { seed: 1, settings: { negativePrompt: 'blur', strength: 0.3 } }), { capabilities: supporting });
    expect(extra.warnings).toEqual([]);
    expect(extra.tasks[0]?.key).not.toBe(plain.tasks[0]?.key);
  });

  it('refuses unknown asset ids, naming each position', () => {
    const automaticError = planError({ mode: 'automatic', referenceAssetIds: ['a0', 'ghost', 'a1', 'phantom'], prompt: 'p' });
    expect(issuePaths(automaticError)).toEqual(['referenceAssetIds.1', 'referenceAssetIds.3']);
    expect(automaticError.issues[0]?.message).toContain('"ghost"');
    const studioError = planError(studio([{ text: 'p', count: 1 }], {}, { referenceAssetIds: ['a0', 'nope'], maskAssetId: 'nomask' }), {
      capabilities: capabilities({ supportsMask: true }),
    });
    expect(issuePaths(studioError)).toEqual(['items.0.referenceAssetIds.1', 'items.0.maskAssetId']);
    const cliInput = {
      mode: 'cli',
      combos: [
        { id: 'c1', referenceAssetIds: ['a0'], variables: {} },
        { id: 'c2', referenceAssetIds: ['zzz'], variables: {} },
      ],
      prompts: [{ id: 'p', text: 't', variables: {} }],
    };
    expect(issuePaths(planError(cliInput))).toEqual(['combos.1.referenceAssetIds.0']);
  });

  it('reports every refusal at once', () => {
    const error = planError(studio([{ text: 'p', count: 1 }], { settings: { size: '4K', aspectRatio: '9:16', loras: [{ name: 'x' }] } }, { referenceAssetIds: ['ghost'] }));
    expect(issuePaths(error)).toEqual(['settings.size', 'settings.aspectRatio', 'settings.loras', 'items.0.referenceAssetIds.0']);
  });

  it('refuses capabilities of a different model as a programming error', () => {
    const error = planError(studio([{ text: 'p', count: 1 }]), { capabilities: capabilities({ modelId: 'other' }) });
    expect(error.code).toBe('internal');
  });
});

describe('task keys', () => {
  it('are unique within a plan, even for duplicated items on a model without seeds', () => {
    const item = { referenceAssetIds: ['a0'], prompts: [{ text: 'same', count: 8 }] };
    const { tasks } = planOf({ mode: 'studio', items: [item, item] }, { capabilities: capabilities({ seedSupport: 'none' }) });
    expect(tasks).toHaveLength(4);
    expect(new Set(tasks.map((task) => task.key)).size).toBe(4);
  });

  it('are unique for a reference listed twice with a given seed', () => {
    const { tasks } = planOf({ mode: 'automatic', referenceAssetIds: ['a0', 'a0'], prompt: 'p', seed: 5 }, { capabilities: capabilities({ seedSupport: 'none' }) });
    expect(tasks[0]?.key).not.toBe(tasks[1]?.key);
  });

  it('are stable across runs and spec key order', () => {
    const first = planOf(studio([{ text: 'p', count: 8 }], { seed: 9, settings: { size: '2K', aspectRatio: '16:9', providerOptions: { a: 1, b: 2 } } }));
    const reordered = {
      settings: { providerOptions: { b: 2, a: 1 }, aspectRatio: '16:9', size: '2K' },
      seed: 9,
      items: [{ prompts: [{ count: 8, text: 'p' }], referenceAssetIds: ['a0'] }],
      mode: 'studio',
    };
    const second = planOf(reordered);
    expect(second.tasks.map((task) => task.key)).toEqual(first.tasks.map((task) => task.key));
  });

  it('hash reference content, not asset ids', () => {
    const sameBytes = new Map([
      ['a0', 'shared-sha'],
      ['a1', 'shared-sha'],
    ]);
    const viaA0 = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }), { assetSha256ById: sameBytes });
    const viaA1 = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }, { referenceAssetIds: ['a1'] }), { assetSha256ById: sameBytes });
    expect(viaA1.tasks[0]?.key).toBe(viaA0.tasks[0]?.key);
  });

  it('change with the prompt, the seed, the mask and the salt', () => {
    const base = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }), { capabilities: capabilities({ supportsMask: true }) }).tasks[0]?.key;
    const variants = [
      planOf(studio([{ text: 'q', count: 4 }], { seed: 1 })),
      planOf(studio([{ text: 'p', count: 4 }], { seed: 2 })),
      planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }, { maskAssetId: 'm0' }), { capabilities: capabilities({ supportsMask: true }) }),
      planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }), { salt: 'regenerate-1' }),
    ].map((variant) => variant.tasks[0]?.key);
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it('do not change with the lane or priority, which do not change the images', () => {
    const online = planOf(studio([{ text: 'p', count: 4 }], { seed: 1 }));
    const batch = planOf(studio([{ text: 'p', count: 4 }], { seed: 1, lane: 'batch', priority: 'bulk' }));
    expect(batch.tasks[0]?.key).toBe(online.tasks[0]?.key);
  });
});

describe('cost and time', () => {
  it('prices each task and the whole plan per lane', () => {
    const { tasks, estimate } = planOf(studio([{ text: 'p', count: 10 }], { settings: { size: '1K' } }));
    expect(tasks.map((task) => task.estimatedCostUsd)).toEqual([0.16, 0.16, 0.08]);
    expect(estimate.costUsdByLane).toEqual({ online: 0.4, batch: 0.2 });
  });

  it('leaves out lanes without a price at the chosen size', () => {
    const { estimate } = planOf(studio([{ text: 'p', count: 3 }], { settings: { size: '512' } }));
    expect(estimate.costUsdByLane).toEqual({ online: 0.03 });
  });

  it('estimates time from the rate limit when it is the bottleneck', () => {
    const input = { mode: 'automatic', referenceAssetIds: ['a0', 'a1', 'a2', 'a3'], prompt: 'p', variationsPerImage: 30 };
    const { estimate } = planOf(input, { requestsPerMinute: 60, maxConcurrency: 10 });
    // 120 calls at 60/min = 120 s; 12 waves of 10 × 1 s = 12 s.
    expect(estimate.estimatedDurationMs).toBe(120_000);
    expect(estimate.assumptions).toContain('60 requests/minute');
  });

  it('estimates time from concurrency and latency when there is no rate limit', () => {
    const input = { mode: 'automatic', referenceAssetIds: ['a0', 'a1', 'a2', 'a3'], prompt: 'p', variationsPerImage: 30 };
    expect(planOf(input, { requestsPerMinute: 0, maxConcurrency: 10 }).estimate.estimatedDurationMs).toBe(12_000);
    expect(planOf({ ...input, execution: 'sequential' }, { requestsPerMinute: 0, maxConcurrency: 10 }).estimate.estimatedDurationMs).toBe(120_000);
  });

  it('warns when the estimate is over the budget', () => {
    const { warnings } = planOf(studio([{ text: 'p', count: 40 }], { budgetUsd: 1 }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('budgetUsd');
    expect(warnings[0]).toContain('$1.6');
    expect(planOf(studio([{ text: 'p', count: 40 }], { budgetUsd: 2 })).warnings).toEqual([]);
  });
});

describe('estimatePlan', () => {
  it('uses whole waves of concurrent calls and the rate limit, whichever is slower', () => {
    const base = { taskCount: 5, imageCount: 5, capabilities: capabilities({ typicalLatencyMs: 2_000 }), size: '1K' as const, lane: 'online' as const };
    expect(estimatePlan({ ...base, requestsPerMinute: 0, maxConcurrency: 2 }).estimatedDurationMs).toBe(6_000);
    expect(estimatePlan({ ...base, requestsPerMinute: 10, maxConcurrency: 2 }).estimatedDurationMs).toBe(30_000);
    expect(estimatePlan({ ...base, requestsPerMinute: 0, maxConcurrency: 0 }).estimatedDurationMs).toBe(10_000);
  });

  it('says the batch lane time is a lower bound', () => {
    const estimate = estimatePlan({ taskCount: 1, imageCount: 4, capabilities: capabilities(), size: '2K', lane: 'batch', requestsPerMinute: 0, maxConcurrency: 1 });
    expect(estimate.costUsdByLane).toEqual({ online: 0.4, batch: 0.2 });
    expect(estimate.assumptions).toContain('24 hours');
  });
});

describe('scale', () => {
  // Planning speed is measured in the benchmarks (npm run bench), not asserted here.
  it('plans 20,000 automatic tasks with unique keys and continuing seeds', () => {
    const references = Array.from({ length: 20_000 }, (_, index) => `asset-${index}`);
    const assetSha256ById = new Map(references.map((id, index) => [id, index.toString(16).padStart(64, '0')]));
    const spec: JobSpec = parseJobSpec({ mode: 'automatic', referenceAssetIds: references, prompt: 'a product photo on marble', seed: 1 });
    const result = plan(spec, context({ assetSha256ById, capabilities: capabilities({ maxImagesPerCall: 1 }) }));
    expect(result.tasks).toHaveLength(20_000);
    expect(result.tasks[19_999]).toMatchObject({ ordinal: 19_999, referenceAssetIds: ['asset-19999'], seed: 20_000 });
    expect(new Set(result.tasks.map((task) => task.key)).size).toBe(20_000);
  });
});
