import { measureCallTimes } from '../core/call-times.js';
import { providerKeyOf } from './limit-policies.js';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { ImagefleetError, invalidInput, isImagefleetError } from '../core/errors.js';
import { checkWebhookUrl, hostOf, refusalOfAddress } from '../core/webhook-target-policy.js';
import type { Job } from '../core/job.js';
import { parseJobSpec, type JobSpec } from '../core/job-spec.js';
import { plan, type Plan } from '../core/plan.js';
import { findModel, type ImageProvider } from '../providers/contract.js';
import type { ProviderCatalog } from './engine.js';
import type { LimitsLookup } from './limit-policies.js';
import type { AssetRepository, Clock, GroupRepository, JobRepository, NewWebhookEndpoint } from './ports.js';
import { subscribedEvents } from '../core/webhook-subscription.js';
import { generateWebhookSecret } from '../core/webhook-signature.js';

/** Recent calls a time estimate is calibrated from: enough to smooth out one slow call, recent enough to follow a changed machine or quota. */
const calibrationCalls = 200;

export interface SubmitJobDependencies {
  jobs: JobRepository;
  assets: AssetRepository;
  groups: GroupRepository;
  providers: ProviderCatalog;
  limitsFor: LimitsLookup;
  clock: Clock;
  random: () => number;
  /** The server-wide endpoint every job also reports to (`IMAGEFLEET_WEBHOOK_URL`); undefined = none. */
  defaultWebhook?: Omit<NewWebhookEndpoint, 'id'> | undefined;
  /** Whether webhook URLs may name internal addresses (`IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE`); default false. */
  allowPrivateWebhookTargets?: boolean | undefined;
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
}

export interface SubmitJobResult {
  /** The created job; undefined for a dry run. */
  job: Job | undefined;
  spec: JobSpec;
  plan: Plan;
  /** Tasks left out because their key already completed. */
  skippedTaskCount: number;
  /**
   * The job's own webhook endpoints (not the server-wide one). `secret` is set only where it was
   * generated: the one time it is shown.
   */
  webhooks: Array<{ id: string; url: string; eventTypes: string[]; generatedSecret: string | undefined }>;
}

/**
 * The one use case behind every "submit" (web, API, CLI): validate the spec, resolve the
 * provider, model, group and reference assets, plan, and create the job with all its tasks in
 * one transaction. Bad input fails with `invalid_input` naming the field, and nothing is written.
 */
export async function submitJob(input: unknown, dependencies: SubmitJobDependencies, options: SubmitJobOptions = {}): Promise<SubmitJobResult> {
  const parsed = parseJobSpec(input);
  if (!dependencies.allowPrivateWebhookTargets) refuseInternalWebhookAddresses(parsed);
  const provider = resolve('provider', () => dependencies.providers.get(parsed.provider));
  const capabilities = resolve('model', () => findModel(provider, parsed.model));
  // A model named by an alias (a wire id, a retired preview id) is stored and planned under its
  // own id, so its limits, pauses and task keys are the same whichever name a spec used.
  const spec: JobSpec = { ...parsed, model: capabilities.modelId };
  await checkProviderSettings(provider, spec);

  const provisional = options.dryRun ? options.provisionalAssetSha256ById : undefined;
  const assetIds = [...new Set(referencedAssetIds(spec))];
  const assets = provisional ? [] : await dependencies.assets.getAssets(assetIds);
  const assetSha256ById = provisional ? new Map(provisional) : new Map(assets.map((asset) => [asset.id, asset.sha256]));

  let groupId: string;
  if (spec.groupId !== undefined) {
    const group = await dependencies.groups.getGroup(spec.groupId);
    if (!group) throw new ImagefleetError('invalid_input', `groupId: no group with id ${spec.groupId}`, { issues: [{ path: 'groupId', message: 'no such group; create it first or leave groupId out for the Default group' }] });
    groupId = group.id;
  } else {
    groupId = options.dryRun ? '' : (await dependencies.groups.getOrCreateDefault()).id;
  }

  const limits = dependencies.limitsFor(provider.id, spec.lane);
  // The time estimate is calibrated by what this model's recent calls took (seeded defaults before any).
  const measuredCallTimes = measureCallTimes(await dependencies.jobs.recentCalls(providerKeyOf(provider.id, capabilities.modelId), spec.lane, calibrationCalls));
  const jobPlan = plan(spec, {
    capabilities,
    assetSha256ById,
    requestsPerMinute: limits.requestsPerMinute,
    maxConcurrency: limits.maxConcurrency,
    measuredCallTimes,
    random: dependencies.random,
    salt: options.salt,
  });

  let tasks = jobPlan.tasks;
  let skippedTaskCount = 0;
  if (options.skipCompletedKeys) {
    const completed = await dependencies.jobs.completedTaskKeys(tasks.map((task) => task.key));
    tasks = tasks.filter((task) => !completed.has(task.key)).map((task, ordinal) => ({ ...task, ordinal }));
    skippedTaskCount = jobPlan.tasks.length - tasks.length;
  }
  if (options.dryRun) return { job: undefined, spec, plan: jobPlan, skippedTaskCount, webhooks: [] };

  const ownWebhooks = (spec.webhooks ?? []).map((subscription) => ({
    endpoint: { id: `ep_${randomUUID().replaceAll('-', '')}`, url: subscription.url, secret: subscription.secret ?? generateWebhookSecret(), eventTypes: subscribedEvents(subscription) },
    generated: subscription.secret === undefined,
  }));
  const defaultWebhook = dependencies.defaultWebhook === undefined ? [] : [{ ...dependencies.defaultWebhook, id: `ep_${randomUUID().replaceAll('-', '')}` }];

  const nowMs = dependencies.clock.now();
  const job = await dependencies.jobs.createJob({
    job: {
      id: randomUUID(),
      mode: spec.mode,
      groupId,
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
  });
  const webhooks = ownWebhooks.map(({ endpoint, generated }) => ({ id: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes, generatedSecret: generated ? endpoint.secret : undefined }));
  return { job, spec, plan: jobPlan, skippedTaskCount, webhooks };
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
