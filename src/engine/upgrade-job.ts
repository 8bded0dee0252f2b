/**
 * Upgrade: re-generate a job's completed images at a larger size (1K → 2K/4K), as a new job beside
 * the old one. Each completed task becomes one new task with the same prompt, references and seed
 * and only the size changed, so on models with exact seeds the result is the same picture with
 * more pixels; on models without seeds it is a new draw at the larger size (said in a warning).
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError, invalidInput } from '../core/errors.js';
import { estimatePlan, pricePerImageUsd, roundUsd, type PlanEstimate } from '../core/estimate.js';
import { imageSizes, type ImageSize } from '../core/image-size.js';
import type { Job } from '../core/job.js';
import { seedDroppedWarning } from '../core/plan.js';
import { taskKey, type TaskKeySettings } from '../core/task-key.js';
import type { PlannedTask } from '../core/task.js';
import { findModel } from '../providers/contract.js';
import type { ProviderCatalog } from './engine.js';
import type { LimitsLookup } from './limit-policies.js';
import type { AssetRepository, Clock, JobRepository } from './ports.js';

export interface UpgradeJobDependencies {
  jobs: JobRepository;
  assets: Pick<AssetRepository, 'getAssets'>;
  providers: ProviderCatalog;
  limitsFor: LimitsLookup;
  clock: Clock;
}

export interface UpgradeJobInput {
  /** The job whose completed images are upgraded. */
  jobId: string;
  /** The new size; must be larger than the job's. */
  size: ImageSize;
  /** Name of the new job (the CLI's new session id). */
  name: string;
}

export interface UpgradeJobResult {
  /** The new job; undefined for a dry run or when nothing is left to upgrade. */
  job: Job | undefined;
  source: Job;
  /** Calls the upgrade makes. */
  tasks: PlannedTask[];
  /** Completed tasks whose upgrade already completed earlier (left out). */
  skippedTaskCount: number;
  estimate: PlanEstimate;
  warnings: string[];
}

/**
 * Plans (and unless `dryRun`, creates) the upgrade job. `invalid_input` when the size is not larger
 * than the job's or the model does not offer it on the job's lane; `not_found` for an unknown job.
 */
export async function upgradeJob(input: UpgradeJobInput, dependencies: UpgradeJobDependencies, options: { dryRun?: boolean } = {}): Promise<UpgradeJobResult> {
  const source = await dependencies.jobs.getJob(input.jobId);
  if (!source) throw new ImagefleetError('not_found', `No job with id ${input.jobId}.`);
  const provider = dependencies.providers.get(source.provider);
  const capabilities = findModel(provider, source.model);
  const fromSize = source.settings.size;
  if (imageSizes.indexOf(input.size) <= imageSizes.indexOf(fromSize)) {
    const larger = imageSizes.filter((size) => imageSizes.indexOf(size) > imageSizes.indexOf(fromSize) && capabilities.sizes.includes(size));
    throw invalidInput(
      [{ path: 'size', message: `${input.size} is not larger than the size it was made at (${fromSize}); ${larger.length > 0 ? `choose ${larger.join(' or ')}` : 'the model offers nothing larger'}` }],
      'Cannot upgrade',
    );
  }
  const price = pricePerImageUsd(capabilities, input.size, source.lane);
  if (!capabilities.sizes.includes(input.size) || price === undefined) {
    throw invalidInput(
      [{ path: 'size', message: `model "${capabilities.modelId}" does not offer ${input.size} on the ${source.lane} lane; it offers ${capabilities.sizes.join(', ')}` }],
      'Cannot upgrade',
    );
  }

  const completed = await dependencies.jobs.listTasks(source.id, { statuses: ['completed'] });
  const assetIds = [...new Set(completed.flatMap((task) => [...task.referenceAssetIds, ...(task.maskAssetId ? [task.maskAssetId] : [])]))];
  const sha256ById = new Map((await dependencies.assets.getAssets(assetIds)).map((asset) => [asset.id, asset.sha256]));
  const { size: _oldSize, ...kept } = source.settings;
  const settings: TaskKeySettings = {
    size: input.size,
    aspectRatio: kept.aspectRatio,
    loras: kept.loras,
    providerOptions: kept.providerOptions,
    ...(kept.negativePrompt !== undefined && capabilities.supportsNegativePrompt ? { negativePrompt: kept.negativePrompt } : {}),
    ...(kept.strength !== undefined && capabilities.supportsStrength ? { strength: kept.strength } : {}),
  };

  const occurrences = new Map<string, number>();
  const planned: PlannedTask[] = completed.map((task, ordinal) => {
    const keyInput = {
      provider: source.provider,
      model: source.model,
      prompt: task.prompt,
      referenceSha256s: task.referenceAssetIds.map((assetId) => sha256ById.get(assetId) ?? ''),
      maskSha256: task.maskAssetId === undefined ? undefined : sha256ById.get(task.maskAssetId),
      seed: task.seed,
      imageCount: task.imageCount,
      settings,
    };
    const baseKey = taskKey(keyInput);
    const occurrence = occurrences.get(baseKey) ?? 0;
    occurrences.set(baseKey, occurrence + 1);
    return {
      key: occurrence === 0 ? baseKey : taskKey({ ...keyInput, occurrence }),
      ordinal,
      prompt: task.prompt,
      promptId: task.promptId,
      referenceAssetIds: [...task.referenceAssetIds],
      maskAssetId: task.maskAssetId,
      imageCount: task.imageCount,
      seed: task.seed,
      setIndex: task.setIndex,
      // `source_ordinal`: the original call this image upgrades (kept through repeated upgrades),
      // so exports can name both alike.
      variables: { ...task.variables, source_ordinal: task.variables.source_ordinal ?? String(task.ordinal) },
      estimatedCostUsd: roundUsd(task.imageCount * price),
    };
  });

  const done = await dependencies.jobs.completedTaskKeys(planned.map((task) => task.key));
  const tasks = planned.filter((task) => !done.has(task.key)).map((task, ordinal) => ({ ...task, ordinal }));
  const limits = dependencies.limitsFor(source.provider, source.lane);
  const estimate = estimatePlan({
    taskCount: tasks.length,
    imageCount: tasks.reduce((total, task) => total + task.imageCount, 0),
    capabilities,
    size: input.size,
    lane: source.lane,
    requestsPerMinute: limits.requestsPerMinute,
    maxConcurrency: source.execution === 'sequential' ? 1 : limits.maxConcurrency,
  });
  const warnings = capabilities.seedSupport === 'none' ? [`${seedDroppedWarning}: the upgraded images are new draws at ${input.size}, not the same pictures`] : [];
  const result = { source, tasks, skippedTaskCount: planned.length - tasks.length, estimate, warnings };
  if (options.dryRun || tasks.length === 0) return { ...result, job: undefined };

  const nowMs = dependencies.clock.now();
  const job = await dependencies.jobs.createJob({
    job: {
      id: randomUUID(),
      mode: source.mode,
      groupId: source.groupId,
      name: input.name,
      provider: source.provider,
      model: source.model,
      settings: { ...source.settings, size: input.size },
      lane: source.lane,
      priority: source.priority,
      execution: source.execution,
      budgetUsd: undefined,
      estimatedCostUsd: roundUsd(tasks.reduce((total, task) => total + task.estimatedCostUsd, 0)),
      createdAtMs: nowMs,
    },
    tasks: tasks.map((task) => ({ ...task, id: randomUUID(), createdAtMs: nowMs })),
  });
  return { ...result, job };
}
