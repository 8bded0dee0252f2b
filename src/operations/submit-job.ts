/**
 * Submitting a job (DESIGN §3 `operations/`): the one use case behind every "submit" — the web
 * form, the HTTP API, the CLI, the MCP server, and the upgrade and regenerate operations, which
 * build a job spec and come through here too. The spec is validated once and planned once; the
 * job, its tasks, its webhooks and (for a new group name) its group are written in one transaction.
 */
import { measureCallTimes } from '../core/call-times.js';
import { providerKeyText } from '../core/limit-key.js';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { ImagefleetError, invalidInput, isImagefleetError } from '../core/errors.js';
import { checkWebhookUrl, hostOf, refusalOfAddress } from '../core/webhook-target-policy.js';
import type { Job } from '../core/job.js';
import { defaultGroupName } from '../core/group.js';
import { parseJobSpec, type JobSpec } from '../core/job-spec.js';
import { plan, type Plan, type PlanContext } from '../core/plan.js';
import { findModel, type ImageProvider, type ModelCapabilities } from '../providers/contract.js';
import type { ProviderCatalog } from '../engine/engine.js';
import { learnedRateStartsAtPerMinute } from '../engine/limits/learned-pacing.js';
import type { LimitsLookup } from '../engine/limit-policies.js';
import type { AssetRepository, Clock, GroupRepository, JobRepository, NewWebhookEndpoint } from '../engine/ports.js';
import { subscribedEvents } from '../core/webhook-subscription.js';
import { generateWebhookSecret } from '../core/webhook-signature.js';

/** Recent calls a time estimate is calibrated from: enough to smooth out one slow call, recent enough to follow a changed machine or quota. */
const calibrationCalls = 200;

/**
 * What submitting needs, typed by ports (the lead folds these into `OperationDependencies`).
 * `jobs`, `assets` and `groups` are the store's repositories.
 */
export interface SubmitJobDependencies {
  jobs: Pick<JobRepository, 'createJob' | 'recentCalls' | 'completedTaskKeys'>;
  assets: Pick<AssetRepository, 'getAssets'>;
  groups: Pick<GroupRepository, 'getGroup' | 'getOrCreateDefault' | 'findGroupByName'>;
  providers: ProviderCatalog;
  limitsFor: LimitsLookup;
  clock: Clock;
  /** Uniform [0, 1) source for random seeds (Math.random in production). */
  random: () => number;
  /** The server-wide endpoint every job also reports to (`IMAGEFLEET_WEBHOOK_URL`); undefined = none. */
  defaultWebhook?: Omit<NewWebhookEndpoint, 'id'> | undefined;
  /** Whether webhook URLs may name internal addresses (`IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE`); default false. */
  allowPrivateWebhookTargets?: boolean | undefined;
  /** Called after the job is committed (the fleet wakes its engine); not called for a dry run or when nothing was created. */
  afterCreate?: (() => void) | undefined;
  /** The planner; default `plan` from `core/plan.ts`. Only tests pass another (a counting wrapper of the same planner). */
  planner?: typeof plan | undefined;
}

export interface SubmitJobOptions {
  /** Plan and estimate only; nothing is written. */
  dryRun?: boolean;
  /** Leave out tasks whose key already completed in any job (resume, re-run of a CLI plan). */
  skipCompletedKeys?: boolean;
  /** Makes every task key new ("regenerate", DESIGN §4); the same salt gives the same keys again. */
  salt?: string;
  /**
   * Dry runs only: plan against these asset hashes (by asset id) instead of stored assets, so a
   * preview (the CLI's plan summary, `--dry-run`) needs no upload. Task keys then differ from the
   * real ones, so `skipCompletedKeys` finds nothing to skip.
   */
  provisionalAssetSha256ById?: ReadonlyMap<string, string>;
  /**
   * The group by name instead of `groupId` (the API's `groupName`): the group of that name
   * (case-insensitive), created in the job's own transaction when there is none, so a refused job
   * leaves no empty group. Not together with the spec's `groupId`. Default: none.
   */
  groupName?: string | undefined;
  /** Create no job when every task was skipped (`skipCompletedKeys`); the result's `job` is then undefined. Default: false (an empty job is created). */
  skipEmptyJob?: boolean;
  /**
   * Runs after planning and before the job is written, with the job's id (the CLI writes its
   * session record here, so a crash between the two leaves a session that says so). Not called
   * for a dry run or a skipped empty job; when it throws, nothing is written.
   */
  beforeCreate?: ((jobId: string) => Promise<void>) | undefined;
}

export interface SubmitJobResult {
  /** The created job; undefined for a dry run (or an empty job skipped with `skipEmptyJob`). */
  job: Job | undefined;
  spec: JobSpec;
  plan: Plan;
  /** The group the job went (or, for a dry run, would go) to; undefined when it does not exist yet (Default on first use, a new group name). */
  groupId: string | undefined;
  /** Tasks left out because their key already completed. */
  skippedTaskCount: number;
  /**
   * The job's own webhook endpoints (not the server-wide one). `secret` is set only where it was
   * generated: the one time it is shown.
   */
  webhooks: Array<{ id: string; url: string; eventTypes: string[]; generatedSecret: string | undefined }>;
}

/** A spec resolved against its provider and planned: what `planJobSpec` returns. */
export interface PlannedSpec {
  /** The spec with the model's own id (an alias resolved). */
  spec: JobSpec;
  provider: ImageProvider;
  capabilities: ModelCapabilities;
  plan: Plan;
}

/**
 * The one planning path: resolves provider and model, lets the provider check its own settings,
 * looks up asset hashes (unless given) and limits, and calls the planner once. Used by
 * `submitJob` and by `upgradeJob` (which plans a spec it builds from a finished job).
 */
export async function planJobSpec(
  parsed: JobSpec,
  dependencies: Pick<SubmitJobDependencies, 'jobs' | 'assets' | 'providers' | 'limitsFor' | 'random' | 'planner'>,
  options: {
    salt?: string | undefined;
    /** Hashes to plan against, by asset id; default: the stored assets'. */
    assetSha256ById?: ReadonlyMap<string, string> | undefined;
    /** Runs after the provider's own checks, before planning (submit resolves the group there, so its errors keep their order). */
    beforePlanning?: (() => Promise<void>) | undefined;
  } = {},
): Promise<PlannedSpec> {
  const provider = resolve('provider', () => dependencies.providers.get(parsed.provider));
  const capabilities = resolve('model', () => findModel(provider, parsed.model));
  // A model named by an alias (a wire id, a retired preview id) is stored and planned under its
  // own id, so its limits, pauses and task keys are the same whichever name a spec used.
  const spec: JobSpec = { ...parsed, model: capabilities.modelId };
  await checkProviderSettings(provider, spec);

  let assetSha256ById = options.assetSha256ById;
  if (assetSha256ById === undefined) {
    const assetIds = [...new Set(referencedAssetIds(spec))];
    const assets = await dependencies.assets.getAssets(assetIds);
    assetSha256ById = new Map(assets.map((asset) => [asset.id, asset.sha256]));
  }

  await options.beforePlanning?.();
  const limits = dependencies.limitsFor(provider.id, spec.lane);
  // The time estimate is calibrated by what this model's recent calls took (seeded defaults before any).
  const measuredCallTimes = measureCallTimes(await dependencies.jobs.recentCalls(providerKeyText(provider.id, capabilities.modelId), spec.lane, calibrationCalls));
  const context: PlanContext = {
    capabilities,
    assetSha256ById,
    requestsPerMinute: limits.requestsPerMinute,
    learnedRateStartsAtPerMinute: learnedRateStartsAtPerMinute(limits),
    maxConcurrency: limits.maxConcurrency,
    measuredCallTimes,
    random: dependencies.random,
    salt: options.salt,
  };
  const jobPlan = (dependencies.planner ?? plan)(spec, context);
  return { spec, provider, capabilities, plan: jobPlan };
}

/**
 * Validates the spec, resolves provider, model, group and reference assets, plans once, and
 * creates the job with all its tasks (and a new group, for an unknown `groupName`) in one
 * transaction, then calls `afterCreate`. Bad input fails with `invalid_input` naming the field,
 * and nothing is written.
 */
export async function submitJob(input: unknown, dependencies: SubmitJobDependencies, options: SubmitJobOptions = {}): Promise<SubmitJobResult> {
  const parsed = parseJobSpec(input);
  if (options.groupName !== undefined && parsed.groupId !== undefined) {
    throw invalidInput([{ path: 'groupName', message: 'give groupId or groupName, not both' }], 'Invalid job spec');
  }
  if (!dependencies.allowPrivateWebhookTargets) refuseInternalWebhookAddresses(parsed);
  const provisional = options.dryRun ? options.provisionalAssetSha256ById : undefined;
  let groupId: string | undefined;
  const resolveGroup = async (): Promise<void> => {
    if (parsed.groupId !== undefined) {
      const group = await dependencies.groups.getGroup(parsed.groupId);
      if (!group) throw new ImagefleetError('invalid_input', `groupId: no group with id ${parsed.groupId}`, { issues: [{ path: 'groupId', message: 'no such group; create it first or leave groupId out for the Default group' }] });
      groupId = group.id;
    } else if (options.groupName !== undefined) {
      groupId = (await dependencies.groups.findGroupByName(options.groupName))?.id;
    } else {
      groupId = options.dryRun ? (await dependencies.groups.findGroupByName(defaultGroupName))?.id : (await dependencies.groups.getOrCreateDefault()).id;
    }
  };
  const { spec, plan: jobPlan } = await planJobSpec(parsed, dependencies, {
    salt: options.salt,
    assetSha256ById: provisional ? new Map(provisional) : undefined,
    beforePlanning: resolveGroup,
  });

  let tasks = jobPlan.tasks;
  let skippedTaskCount = 0;
  if (options.skipCompletedKeys) {
    const completed = await dependencies.jobs.completedTaskKeys(tasks.map((task) => task.key));
    tasks = tasks.filter((task) => !completed.has(task.key)).map((task, ordinal) => ({ ...task, ordinal }));
    skippedTaskCount = jobPlan.tasks.length - tasks.length;
  }
  const nothing = { job: undefined, spec, plan: jobPlan, groupId, skippedTaskCount, webhooks: [] };
  if (options.dryRun) return nothing;
  if (options.skipEmptyJob && tasks.length === 0) return nothing;

  const ownWebhooks = (spec.webhooks ?? []).map((subscription) => ({
    endpoint: { id: `ep_${randomUUID().replaceAll('-', '')}`, url: subscription.url, secret: subscription.secret ?? generateWebhookSecret(), eventTypes: subscribedEvents(subscription) },
    generated: subscription.secret === undefined,
  }));
  const defaultWebhook = dependencies.defaultWebhook === undefined ? [] : [{ ...dependencies.defaultWebhook, id: `ep_${randomUUID().replaceAll('-', '')}` }];

  const jobId = randomUUID();
  // A new group name: its id is chosen here; the store inserts it in the job's transaction unless
  // a group of that name exists by then (a concurrent submit), whose id the job then takes.
  const createGroup = groupId === undefined && options.groupName !== undefined ? { id: randomUUID(), name: options.groupName } : undefined;
  const targetGroupId = groupId ?? createGroup?.id;
  // Resolved above for every non-dry run: a given id, a found or new name, or the Default group.
  if (targetGroupId === undefined) throw new ImagefleetError('internal', 'The job has no group to go to.');
  if (options.beforeCreate) await options.beforeCreate(jobId);
  const nowMs = dependencies.clock.now();
  let job: Job;
  try {
    job = await dependencies.jobs.createJob({
      job: {
        id: jobId,
        mode: spec.mode,
        groupId: targetGroupId,
        name: spec.name ?? defaultJobName(spec),
        provider: spec.provider,
        model: spec.model,
        settings: spec.settings,
        lane: spec.lane,
        priority: spec.priority,
        execution: spec.execution,
        budgetUsd: spec.budgetUsd,
        estimatedCostUsd: tasks.reduce((total, task) => total + task.estimatedCostUsd, 0),
        createdAtMs: nowMs,
      },
      tasks: tasks.map((task) => ({ ...task, id: randomUUID(), createdAtMs: nowMs })),
      webhooks: [...ownWebhooks.map((entry) => entry.endpoint), ...defaultWebhook],
      ...(createGroup ? { createGroup } : {}),
    });
  } catch (error) {
    // The store names the group's field `name`; the caller sent `groupName`.
    if (createGroup && isImagefleetError(error) && error.code === 'invalid_input') {
      throw invalidInput(error.issues.map((issue) => ({ path: 'groupName', message: issue.message })), 'Invalid job spec');
    }
    throw error;
  }
  dependencies.afterCreate?.();
  const webhooks = ownWebhooks.map(({ endpoint, generated }) => ({ id: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes, generatedSecret: generated ? endpoint.secret : undefined }));
  return { job, spec, plan: jobPlan, groupId: job.groupId, skippedTaskCount, webhooks };
}

/**
 * A URL that names an internal IP address outright is refused at submit, where the client can fix
 * it; host names are checked (after DNS) at every delivery attempt.
 */
function refuseInternalWebhookAddresses(spec: JobSpec): void {
  const issues = (spec.webhooks ?? []).flatMap((webhook, index) => {
    const checked = checkWebhookUrl(webhook.url);
    if ('refusal' in checked) return [];
    const host = hostOf(checked.url);
    const refusal = isIP(host) === 0 ? undefined : refusalOfAddress(host);
    return refusal === undefined ? [] : [{ path: `webhooks.${index}.url`, message: `${host} is ${refusal}; webhooks go to public addresses unless the server sets IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE=true` }];
  });
  if (issues.length > 0) throw invalidInput(issues, 'Invalid job spec');
}

function referencedAssetIds(spec: JobSpec): string[] {
  switch (spec.mode) {
    case 'automatic':
      return spec.referenceAssetIds;
    case 'studio':
      return spec.items.flatMap((item) => [...item.referenceAssetIds, ...(item.maskAssetId ? [item.maskAssetId] : [])]);
    case 'cli':
      return spec.combos.flatMap((combo) => combo.referenceAssetIds);
  }
}

function defaultJobName(spec: JobSpec): string {
  const firstPrompt = spec.mode === 'automatic' ? spec.prompt : spec.mode === 'studio' ? spec.items[0]?.prompts[0]?.text : spec.prompts[0]?.text;
  const text = (firstPrompt ?? spec.mode).replace(/\s+/g, ' ').trim();
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Re-labels a lookup failure as an input error on `path`, keeping its message (which lists the known values). */
function resolve<T>(path: string, lookup: () => T): T {
  try {
    return lookup();
  } catch (error) {
    if (isImagefleetError(error) && (error.code === 'invalid_input' || error.code === 'not_found')) {
      throw new ImagefleetError('invalid_input', `${path}: ${error.message}`, { issues: [{ path, message: error.message }] });
    }
    throw error;
  }
}

/**
 * The provider's own check of provider-specific settings (options, LoRA names), reported like
 * every other bad field: `invalid_input` naming it, before anything is written.
 */
async function checkProviderSettings(provider: ImageProvider, spec: JobSpec): Promise<void> {
  if (!provider.checkJobSettings) return;
  try {
    await provider.checkJobSettings({ modelId: spec.model, providerOptions: spec.settings.providerOptions, loras: spec.settings.loras });
  } catch (error) {
    if (!isImagefleetError(error) || error.code !== 'provider_invalid') throw error;
    const path = /\bloras\.\d+/.test(error.message) ? 'settings.loras' : 'settings.providerOptions';
    throw new ImagefleetError('invalid_input', error.message, { issues: [{ path, message: error.message }] });
  }
}
