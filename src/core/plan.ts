/**
 * Planning (DESIGN §4): a validated job spec and the chosen model's capabilities in, the list of
 * provider calls out, with an estimate and plain warnings. Pure: time, randomness, asset hashes
 * and limits are passed in, so the same inputs always give the same plan.
 */
import type { ModelCapabilities } from '../providers/contract.js';
import { ImagefleetError, invalidInput, type ErrorIssue } from './errors.js';
import type { MeasuredCallTimes } from './call-times.js';
import { estimatePlan, pricePerImageUsd, roundUsd, type PlanEstimate } from './estimate.js';
import { limitIssues } from './issue-limit.js';
import type { AutomaticJobSpec, CliJobSpec, JobSpec, StudioJobSpec } from './job-spec.js';
import { compilePromptTemplate } from './prompt-template.js';
import { offsetSeed, randomSeed } from './seeds.js';
import type { PlannedTask } from './task.js';
import { taskKey, type TaskKeySettings } from './task-key.js';

export interface PlanContext {
  /** Capabilities of `spec.model`; the plan is validated against them. */
  capabilities: ModelCapabilities;
  /** Hex SHA-256 of every asset the spec may reference, by asset id; ids missing here are refused. */
  assetSha256ById: ReadonlyMap<string, string>;
  /** Rate limit of this provider+model, requests per minute (0 = unlimited); for the time estimate. */
  requestsPerMinute: number;
  /** When the rate is learned: the rate the engine starts from, requests per minute; undefined for a fixed rate. */
  learnedRateStartsAtPerMinute?: number | undefined;
  /** Calls in flight at once for this provider+model; for the time estimate. */
  maxConcurrency: number;
  /** What recent calls of this provider+model took (the time estimate's calibration); absent before any call. */
  measuredCallTimes?: MeasuredCallTimes | undefined;
  /** Source of [0, 1) numbers for random seeds (Math.random in production, fixed in tests). */
  random: () => number;
  /** Set to make every key new ("regenerate"); the same salt gives the same keys again. */
  salt?: string | undefined;
}

export interface Plan {
  /** Provider calls in run order; `ordinal` is the index in this list. */
  tasks: PlannedTask[];
  estimate: PlanEstimate;
  /** Settings dropped or adjusted, said plainly; each distinct warning once. */
  warnings: string[];
}

/** Said when a seed was given to a model that cannot honour it. */
export const seedDroppedWarning = 'seed: not supported by this model — regenerate means re-roll';
/** Said when a negative prompt was given to a model without negative prompts. */
export const negativePromptDroppedWarning = 'negativePrompt: not supported by this model — ignored';
/** Said when a strength was given to a model without img2img strength. */
export const strengthDroppedWarning = "strength: not supported by this model — ignored; the model uses its own";

/** `promptId` of the single prompt of an automatic job. */
export const automaticPromptId = 'prompt';

/**
 * One prompt against one list of references, asking for `imageCount` images; the planner cuts it
 * into sets of `batchSize` and each set into calls the model can make.
 */
interface PromptRun {
  prompt: string;
  promptId: string;
  referenceAssetIds: string[];
  maskAssetId: string | undefined;
  imageCount: number;
  /** Seed of the prompt's first image when one was given; undefined = a random seed per call. */
  firstSeed: number | undefined;
  /** Where this run's first image sits in its prompt's seed sequence (runs of one prompt continue it). */
  seedOffset: number;
  variables: Record<string, string>;
}

/**
 * Expands a spec into provider calls. Throws `invalid_input` (issues naming each field) when the
 * model cannot serve the spec: size, aspect ratio or lane not offered, too many references, a mask
 * or LoRA on a model without them, or an asset id not in `assetSha256ById`. Settings that can be
 * left out without betraying the intent (negative prompt, strength, seed) are dropped with a warning.
 *
 * Order: automatic by reference, studio by item then prompt, cli by combo then prompt; within each,
 * by set, then call. Task variables: `prompt_id`, `set` (0-based within the prompt run), `index`
 * (0-based position of the task's first image within the run), plus `reference_index` (automatic),
 * `item` (studio) or the merged combo/prompt variables and `combo` (cli). Identical calls get
 * distinct keys by their occurrence count, so unique calls keep keys that ignore their position.
 */
export function plan(spec: JobSpec, context: PlanContext): Plan {
  const { capabilities } = context;
  if (spec.model !== capabilities.modelId) {
    throw new ImagefleetError('internal', `plan() was given capabilities of model "${capabilities.modelId}" for a spec of model "${spec.model}"`);
  }

  const issues = [...capabilityIssues(spec, capabilities), ...assetIssues(spec, context.assetSha256ById)];
  if (issues.length > 0) throw invalidInput(limitIssues(issues), `Model "${capabilities.modelId}" cannot run this job`);

  const warnings = new Set<string>();
  const settings = effectiveSettings(spec, capabilities, warnings);
  const seedsHonoured = capabilities.seedSupport !== 'none';
  if (!seedsHonoured && specGivesSeed(spec)) warnings.add(seedDroppedWarning);

  // Validated above: the lane is offered at this size, so the price exists.
  const pricePerImage = pricePerImageUsd(capabilities, spec.settings.size, spec.lane) ?? 0;
  const imagesPerCall = Math.max(1, Math.floor(capabilities.maxImagesPerCall));
  const occurrencesByKey = new Map<string, number>();
  const tasks: PlannedTask[] = [];
  let imageTotal = 0;

  for (const run of promptRuns(spec)) {
    const referenceSha256s = run.referenceAssetIds.map((assetId) => context.assetSha256ById.get(assetId) ?? '');
    const maskSha256 = run.maskAssetId === undefined ? undefined : context.assetSha256ById.get(run.maskAssetId);
    let imageIndex = 0;
    for (let setIndex = 0; imageIndex < run.imageCount; setIndex += 1) {
      const setEnd = Math.min(run.imageCount, imageIndex + spec.batchSize);
      while (imageIndex < setEnd) {
        const imageCount = Math.min(imagesPerCall, setEnd - imageIndex);
        let seed: number | undefined;
        if (seedsHonoured) seed = run.firstSeed === undefined ? randomSeed(context.random) : offsetSeed(run.firstSeed, run.seedOffset + imageIndex);
        const keyInput = {
          provider: spec.provider,
          model: spec.model,
          prompt: run.prompt,
          referenceSha256s,
          maskSha256,
          seed,
          imageCount,
          settings,
          salt: context.salt,
        };
        const baseKey = taskKey(keyInput);
        const occurrence = occurrencesByKey.get(baseKey) ?? 0;
        occurrencesByKey.set(baseKey, occurrence + 1);
        tasks.push({
          key: occurrence === 0 ? baseKey : taskKey({ ...keyInput, occurrence }),
          ordinal: tasks.length,
          prompt: run.prompt,
          promptId: run.promptId,
          referenceAssetIds: [...run.referenceAssetIds],
          maskAssetId: run.maskAssetId,
          imageCount,
          seed,
          setIndex,
          variables: { ...run.variables, set: String(setIndex), index: String(imageIndex) },
          estimatedCostUsd: roundUsd(imageCount * pricePerImage),
        });
        imageIndex += imageCount;
        imageTotal += imageCount;
      }
    }
  }

  const estimate = estimatePlan({
    taskCount: tasks.length,
    imageCount: imageTotal,
    capabilities,
    size: spec.settings.size,
    lane: spec.lane,
    requestsPerMinute: context.requestsPerMinute,
    learnedRateStartsAtPerMinute: context.learnedRateStartsAtPerMinute,
    maxConcurrency: spec.execution === 'sequential' ? 1 : context.maxConcurrency,
    measured: context.measuredCallTimes,
  });
  const laneCostUsd = estimate.costUsdByLane[spec.lane];
  if (spec.budgetUsd !== undefined && laneCostUsd !== undefined && laneCostUsd > spec.budgetUsd) {
    warnings.add(`budgetUsd: the estimated cost ($${laneCostUsd} on the ${spec.lane} lane) is over the budget ($${spec.budgetUsd}); the job stops when the budget is spent`);
  }
  return { tasks, estimate, warnings: [...warnings] };
}

function promptRuns(spec: JobSpec): PromptRun[] {
  switch (spec.mode) {
    case 'automatic':
      return automaticRuns(spec);
    case 'studio':
      return studioRuns(spec);
    case 'cli':
      return cliRuns(spec);
  }
}

/** Every reference × the prompt; the seed sequence runs on across references because they share one prompt. */
function automaticRuns(spec: AutomaticJobSpec): PromptRun[] {
  return spec.referenceAssetIds.map((assetId, referenceIndex) => ({
    prompt: spec.prompt,
    promptId: automaticPromptId,
    referenceAssetIds: [assetId],
    maskAssetId: undefined,
    imageCount: spec.variationsPerImage,
    firstSeed: spec.seed,
    seedOffset: referenceIndex * spec.variationsPerImage,
    variables: { prompt_id: automaticPromptId, reference_index: String(referenceIndex) },
  }));
}

/** Each item × each of its prompts; each prompt starts its own seed sequence. */
function studioRuns(spec: StudioJobSpec): PromptRun[] {
  const runs: PromptRun[] = [];
  spec.items.forEach((item, itemIndex) => {
    item.prompts.forEach((prompt, promptIndex) => {
      const promptId = prompt.id ?? `item-${itemIndex}-prompt-${promptIndex}`;
      runs.push({
        prompt: prompt.text,
        promptId,
        referenceAssetIds: item.referenceAssetIds,
        maskAssetId: item.maskAssetId,
        imageCount: prompt.count,
        firstSeed: prompt.seed ?? spec.seed,
        seedOffset: 0,
        variables: { prompt_id: promptId, item: String(itemIndex) },
      });
    });
  });
  return runs;
}

/**
 * Combos × prompts. Variables are the built-ins `combo` (the combo's id) and `prompt_id` (the
 * prompt's id), then the combo's, then the prompt's (later ones win): a path pattern that captures
 * `{combo}` itself (`Combos/{wardrobe}/{combo}/`) means that captured name wherever `{combo}` is
 * used, while ids stay unique for the spec. A prompt's seed sequence runs on across combos, like
 * automatic mode's across references.
 */
function cliRuns(spec: CliJobSpec): PromptRun[] {
  const render = spec.promptTemplate === undefined ? undefined : compilePromptTemplate(spec.promptTemplate);
  const runs: PromptRun[] = [];
  spec.combos.forEach((combo, comboIndex) => {
    for (const prompt of spec.prompts) {
      const variables = { combo: combo.id, prompt_id: prompt.id, ...combo.variables, ...prompt.variables };
      runs.push({
        prompt: render ? render({ ...variables, prompt: prompt.text }) : prompt.text,
        promptId: prompt.id,
        referenceAssetIds: combo.referenceAssetIds,
        maskAssetId: undefined,
        imageCount: spec.countPerPair,
        firstSeed: spec.seed,
        seedOffset: comboIndex * spec.countPerPair,
        variables,
      });
    }
  });
  return runs;
}

/** Refusals: what the model cannot do without betraying the request. */
function capabilityIssues(spec: JobSpec, capabilities: ModelCapabilities): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const model = `model "${capabilities.modelId}"`;
  const { size, aspectRatio, loras } = spec.settings;
  if (!capabilities.sizes.includes(size)) {
    issues.push({ path: 'settings.size', message: `size ${size} is not offered by ${model}; allowed: ${capabilities.sizes.join(', ')}` });
  }
  if (!capabilities.aspectRatios.includes(aspectRatio)) {
    issues.push({ path: 'settings.aspectRatio', message: `aspect ratio ${aspectRatio} is not offered by ${model}; allowed: ${capabilities.aspectRatios.join(', ')}` });
  }
  if (!capabilities.lanes.includes(spec.lane)) {
    issues.push({ path: 'lane', message: `lane ${spec.lane} is not offered by ${model}; allowed: ${capabilities.lanes.join(', ')}` });
  } else if (capabilities.sizes.includes(size) && pricePerImageUsd(capabilities, size, spec.lane) === undefined) {
    issues.push({ path: 'lane', message: `lane ${spec.lane} is not offered by ${model} at size ${size}` });
  }
  if (loras && loras.length > 0 && !capabilities.supportsLora) {
    issues.push({ path: 'settings.loras', message: `${model} does not support LoRAs; remove them or choose a model that does` });
  }

  const tooMany = (count: number) => `${count} reference image${count === 1 ? '' : 's'}, but ${model} accepts at most ${capabilities.maxReferenceImages}`;
  switch (spec.mode) {
    case 'automatic':
      if (capabilities.maxReferenceImages < 1) {
        issues.push({ path: 'referenceAssetIds', message: `${model} takes no reference images (text-to-image only); automatic mode needs them` });
      }
      break;
    case 'studio':
      spec.items.forEach((item, itemIndex) => {
        if (item.referenceAssetIds.length > capabilities.maxReferenceImages) {
          issues.push({ path: `items.${itemIndex}.referenceAssetIds`, message: tooMany(item.referenceAssetIds.length) });
        }
        if (item.maskAssetId !== undefined && !capabilities.supportsMask) {
          issues.push({ path: `items.${itemIndex}.maskAssetId`, message: `${model} does not support inpainting masks; remove the mask or choose a model that does` });
        }
      });
      break;
    case 'cli':
      spec.combos.forEach((combo, comboIndex) => {
        if (combo.referenceAssetIds.length > capabilities.maxReferenceImages) {
          issues.push({ path: `combos.${comboIndex}.referenceAssetIds`, message: tooMany(combo.referenceAssetIds.length) });
        }
      });
      break;
  }
  return issues;
}

function assetIssues(spec: JobSpec, assetSha256ById: ReadonlyMap<string, string>): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const check = (assetId: string, path: string) => {
    if (!assetSha256ById.has(assetId)) issues.push({ path, message: `unknown asset id "${assetId}"; upload the image first` });
  };
  switch (spec.mode) {
    case 'automatic':
      spec.referenceAssetIds.forEach((assetId, index) => check(assetId, `referenceAssetIds.${index}`));
      break;
    case 'studio':
      spec.items.forEach((item, itemIndex) => {
        item.referenceAssetIds.forEach((assetId, index) => check(assetId, `items.${itemIndex}.referenceAssetIds.${index}`));
        if (item.maskAssetId !== undefined) check(item.maskAssetId, `items.${itemIndex}.maskAssetId`);
      });
      break;
    case 'cli':
      spec.combos.forEach((combo, comboIndex) => {
        combo.referenceAssetIds.forEach((assetId, index) => check(assetId, `combos.${comboIndex}.referenceAssetIds.${index}`));
      });
      break;
  }
  return issues;
}

/** The settings actually sent: those the model ignores are left out (with a warning) so they do not split keys. */
function effectiveSettings(spec: JobSpec, capabilities: ModelCapabilities, warnings: Set<string>): TaskKeySettings {
  const { size, aspectRatio, negativePrompt, strength, loras, providerOptions } = spec.settings;
  const settings: TaskKeySettings = { size, aspectRatio, loras, providerOptions };
  if (negativePrompt !== undefined && negativePrompt.trim() !== '') {
    if (capabilities.supportsNegativePrompt) settings.negativePrompt = negativePrompt;
    else warnings.add(negativePromptDroppedWarning);
  }
  if (strength !== undefined) {
    if (capabilities.supportsStrength) settings.strength = strength;
    else warnings.add(strengthDroppedWarning);
  }
  return settings;
}

function specGivesSeed(spec: JobSpec): boolean {
  if (spec.seed !== undefined) return true;
  return spec.mode === 'studio' && spec.items.some((item) => item.prompts.some((prompt) => prompt.seed !== undefined));
}
