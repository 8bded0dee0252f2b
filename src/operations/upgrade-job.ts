/**
 * Upgrade: re-generate a job's completed images at a larger size (1K → 2K/4K), as a new job beside
 * the old one. Each completed task becomes one new task with the same prompt, references and seed
 * and only the size changed, so on models with exact seeds the result is the same picture with
 * more pixels; on models without seeds it is a new draw at the larger size (said in a warning).
 * The new calls are planned by the one planner (`planJobSpec` → `core/plan.ts`) from a studio
 * spec of one item per completed call, so keys, settings and the provider's own checks are the
 * same as for any submitted job.
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError, invalidInput } from '../core/errors.js';
import { estimatePlan, pricePerImageUsd, roundUsd, type PlanEstimate } from '../core/estimate.js';
import { imageSizes, type ImageSize } from '../core/image-size.js';
import type { Job } from '../core/job.js';
import type { StudioJobSpec } from '../core/job-spec.js';
import { seedDroppedWarning } from '../core/plan.js';
import type { PlannedTask, Task } from '../core/task.js';
import { findModel } from '../providers/contract.js';
import type { ProviderCatalog } from '../engine/engine.js';
import { learnedRateStartsAtPerMinute } from '../engine/limits/learned-pacing.js';
import type { LimitsLookup } from '../engine/limit-policies.js';
import type { AssetRepository, Clock, JobRepository } from '../engine/ports.js';
import { planJobSpec, type SubmitJobDependencies } from './submit-job.js';

/** What upgrading needs, typed by ports (the lead folds these into `OperationDependencies`). */
export interface UpgradeJobDependencies {
  jobs: Pick<JobRepository, 'getJob' | 'listTasks' | 'completedTaskKeys' | 'createJob' | 'recentCalls'>;
  assets: Pick<AssetRepository, 'getAssets'>;
  providers: ProviderCatalog;
  limitsFor: LimitsLookup;
  clock: Clock;
  /** Called after the new job is committed (the fleet wakes its engine). */
  afterCreate?: (() => void) | undefined;
  /** The planner; default `core/plan.ts`'s. Only tests pass another (a counting wrapper). */
  planner?: SubmitJobDependencies['planner'];
}

/** Images one call of the upgrade spec may hold: the largest set size, so every completed call stays one call. */
const upgradeBatchSize = 4;

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
  const planned = completed.length === 0 ? [] : await planUpgradeTasks(source, completed, input, dependencies);

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
    learnedRateStartsAtPerMinute: learnedRateStartsAtPerMinute(limits),
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
  dependencies.afterCreate?.();
  return { ...result, job };
}

/**
 * One new call per completed call, through the planner: a studio spec with one item per call
 * (its references, mask, prompt, image count and seed), at the new size. The planner keys each
 * call as it would any submitted one; the source call's place (`promptId`, set, variables) is kept
 * so exports name the upgrade like the original.
 */
async function planUpgradeTasks(source: Job, completed: readonly Task[], input: UpgradeJobInput, dependencies: UpgradeJobDependencies): Promise<PlannedTask[]> {
  const spec: StudioJobSpec = {
    mode: 'studio',
    groupId: source.groupId,
    name: input.name,
    provider: source.provider,
    model: source.model,
    settings: { ...source.settings, size: input.size },
    lane: source.lane,
    execution: source.execution,
    priority: source.priority,
    batchSize: upgradeBatchSize,
    items: completed.map((task) => ({
      referenceAssetIds: [...task.referenceAssetIds],
      ...(task.maskAssetId !== undefined ? { maskAssetId: task.maskAssetId } : {}),
      prompts: [{ id: task.promptId, text: task.prompt, count: task.imageCount, ...(task.seed !== undefined ? { seed: task.seed } : {}) }],
    })),
  };
  // An asset gone since (its hash unknown) keys as an empty hash, as the original upgrade did, rather than refusing the upgrade.
  const assetIds = [...new Set(completed.flatMap((task) => [...task.referenceAssetIds, ...(task.maskAssetId ? [task.maskAssetId] : [])]))];
  const stored = new Map((await dependencies.assets.getAssets(assetIds)).map((asset) => [asset.id, asset.sha256]));
  const assetSha256ById = new Map(assetIds.map((assetId) => [assetId, stored.get(assetId) ?? '']));
  // Never drawn: on a model with seeds every planned call carried one, and each item gives it back.
  const noRandomSeeds = (): number => 0;
  const { plan } = await planJobSpec(spec, { ...dependencies, random: noRandomSeeds }, { assetSha256ById });
  if (plan.tasks.length !== completed.length) {
    throw invalidInput([{ path: 'size', message: `model "${source.model}" now makes fewer images per call than these calls did; submit the prompts again instead` }], 'Cannot upgrade');
  }
  return plan.tasks.map((task, ordinal) => {
    const original = completed[ordinal] as Task;
    return {
      ...task,
      promptId: original.promptId,
      setIndex: original.setIndex,
      // `source_ordinal`: the original call this image upgrades (kept through repeated upgrades),
      // so exports can name both alike.
      variables: { ...original.variables, source_ordinal: original.variables.source_ordinal ?? String(original.ordinal) },
    };
  });
}
