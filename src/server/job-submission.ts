/**
 * `POST /api/jobs/submit`: the API's job body (issue 5's contract: items of references × prompt ×
 * count, or the automatic shorthand) translated into the core job spec (`src/core/job-spec.ts`),
 * submitted through the fleet's one submit use case. Errors the core reports about its own fields
 * (`items.0.prompts.0.count`) are renamed to the fields the client sent (`items.0.count`).
 */
import { invalidInput, isImagefleetError, type ErrorIssue, type ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { JobSpecInput } from '../core/job-spec.js';
import type { Plan } from '../core/plan.js';
import { offsetSeed } from '../core/seeds.js';
import type { Fleet } from '../fleet/create-fleet.js';
import type { SubmitJobResult } from '../operations/submit-job.js';
import { validate } from './request-input.js';
import { submitAutomaticBodySchema, submitItemsBodySchema, type SubmitAutomaticBody, type SubmitBody, type SubmitItemsBody } from './schemas/jobs.js';

export interface ApiSubmission {
  /** The created job; undefined for a dry run. */
  job: Job | undefined;
  /** The group the job went (or would go) to; undefined when it does not exist yet. */
  groupId: string | undefined;
  plan: Plan;
  lane: Job['lane'];
  /** The job's own webhook endpoints, with generated secrets (shown once). */
  webhooks: SubmitJobResult['webhooks'];
}

interface Translation {
  spec: JobSpecInput;
  /** Core field path → the API field the client sent. */
  apiPath: (corePath: string) => string;
}

/** Validates the body in the form it is written in (items or the automatic shorthand). */
export function parseSubmitBody(body: unknown): SubmitBody {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (isObject && (body as Record<string, unknown>).mode === 'automatic' && !('items' in body)) {
    return validate(submitAutomaticBodySchema, body, 'Invalid job');
  }
  return validate(submitItemsBodySchema, body, 'Invalid job');
}

/**
 * Translates and submits (or only plans, with `dryRun`). A `groupName` is resolved by the submit
 * operation: a new group is created in the job's own transaction, so the job is planned once and
 * a refused job leaves no empty group.
 */
export async function submitApiJob(fleet: Fleet, body: SubmitBody, options: { dryRun: boolean }): Promise<ApiSubmission> {
  if (body.groupId !== undefined && body.groupName !== undefined) {
    throw invalidInput([{ path: 'groupName', message: 'give groupId or groupName, not both' }], 'Invalid job');
  }
  const translation = translate(body, defaultModelOf(fleet, body.provider));
  const spec: JobSpecInput = { ...translation.spec, ...(body.groupId !== undefined ? { groupId: body.groupId } : {}) };
  let result: SubmitJobResult;
  try {
    result = await fleet.submitJob(spec, { dryRun: options.dryRun, ...(body.groupName !== undefined ? { groupName: body.groupName } : {}) });
  } catch (error) {
    throw renameIssues(error, translation.apiPath);
  }
  const lane = result.spec.lane;
  if (result.job) return { job: result.job, groupId: result.job.groupId, plan: result.plan, lane, webhooks: result.webhooks };
  return { job: undefined, groupId: result.groupId, plan: result.plan, lane, webhooks: [] };
}

function defaultModelOf(fleet: Fleet, providerId: string): string | undefined {
  if (!fleet.providers.has(providerId)) return undefined;
  return fleet.providers.get(providerId).models()[0]?.modelId;
}

function translate(body: SubmitBody, defaultModel: string | undefined): Translation {
  const { settings } = body;
  const common: Record<string, unknown> = {
    provider: body.provider,
    ...(body.model !== undefined ? { model: body.model } : defaultModel !== undefined ? { model: defaultModel } : {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.lane !== undefined ? { lane: body.lane } : {}),
    ...(body.priority !== undefined ? { priority: body.priority } : {}),
    ...(body.execution !== undefined ? { execution: body.execution } : {}),
    ...(body.budgetUsd !== undefined ? { budgetUsd: body.budgetUsd } : {}),
    ...(body.batchSize !== undefined ? { batchSize: body.batchSize } : {}),
    ...(body.webhooks !== undefined ? { webhooks: body.webhooks } : {}),
    settings: {
      ...(settings?.size !== undefined ? { size: settings.size } : {}),
      ...(settings?.aspectRatio !== undefined ? { aspectRatio: settings.aspectRatio } : {}),
      ...(settings?.negativePrompt !== undefined ? { negativePrompt: settings.negativePrompt } : {}),
      ...(settings?.strength !== undefined ? { strength: settings.strength } : {}),
      ...(settings?.loras !== undefined ? { loras: settings.loras } : {}),
      ...(settings?.providerOptions !== undefined ? { providerOptions: settings.providerOptions } : {}),
    },
  };
  if ('items' in body) return body.mode === 'automatic' ? translateAutomaticItems(body, common) : translateStudio(body, common);
  return translateShorthand(body, common);
}

function translateShorthand(body: SubmitAutomaticBody, common: Record<string, unknown>): Translation {
  if (body.settings?.maskId !== undefined) throw invalidInput([{ path: 'settings.maskId', message: 'automatic mode takes no mask; use mode studio for inpainting' }], 'Invalid job');
  const spec = {
    ...common,
    mode: 'automatic',
    referenceAssetIds: body.referenceIds,
    prompt: body.prompt,
    ...(body.variationsPerImage !== undefined ? { variationsPerImage: body.variationsPerImage } : {}),
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
  } as JobSpecInput;
  return { spec, apiPath: (path) => path.replace(/^referenceAssetIds/, 'referenceIds') };
}

/**
 * Automatic mode with items: every item is one reference with the same prompt and count (the core
 * automatic spec). Anything else is refused with a pointer to studio mode.
 */
function translateAutomaticItems(body: SubmitItemsBody, common: Record<string, unknown>): Translation {
  const issues: ErrorIssue[] = [];
  const [first] = body.items;
  const count = first?.count ?? 1;
  const firstSeed = first?.seed;
  if (body.settings?.maskId !== undefined) issues.push({ path: 'settings.maskId', message: 'automatic mode takes no mask; use mode studio for inpainting' });
  body.items.forEach((item, index) => {
    if (item.maskId !== undefined) issues.push({ path: `items.${index}.maskId`, message: 'automatic mode takes no mask; use mode studio for inpainting' });
    if ((item.referenceIds ?? []).length !== 1) {
      issues.push({ path: `items.${index}.referenceIds`, message: 'automatic mode sends one reference per call: give exactly one reference id (use mode studio to combine references or for text-to-image)' });
    }
    if (index === 0) return;
    if (item.prompt !== first?.prompt) issues.push({ path: `items.${index}.prompt`, message: 'automatic mode applies one prompt to every reference: give every item the prompt of items.0, or use mode studio' });
    if ((item.count ?? 1) !== count) issues.push({ path: `items.${index}.count`, message: `automatic mode makes the same number of images from every reference: give every item the count of items.0 (${count}), or use mode studio` });
    if (item.seed !== undefined) {
      const expected = firstSeed === undefined ? undefined : offsetSeed(firstSeed, index * count);
      if (item.seed !== expected) {
        issues.push({
          path: `items.${index}.seed`,
          message:
            expected === undefined
              ? 'in automatic mode the seeds run on across references from items.0.seed: set items.0.seed instead, or use mode studio'
              : `in automatic mode the seeds run on across references: this item starts at ${expected} (items.0.seed + ${index} × ${count}); leave it out, or use mode studio`,
        });
      }
    }
  });
  if (issues.length > 0) throw invalidInput(issues, 'Invalid job');
  const spec = {
    ...common,
    mode: 'automatic',
    referenceAssetIds: body.items.map((item) => item.referenceIds?.[0] ?? ''),
    prompt: first?.prompt ?? '',
    variationsPerImage: count,
    ...(firstSeed !== undefined ? { seed: firstSeed } : {}),
  } as JobSpecInput;
  return {
    spec,
    apiPath: (path) =>
      path
        .replace(/^referenceAssetIds\.(\d+)/, 'items.$1.referenceIds.0')
        .replace(/^referenceAssetIds$/, 'items')
        .replace(/^prompt$/, 'items.0.prompt')
        .replace(/^variationsPerImage$/, 'items.0.count')
        .replace(/^seed$/, 'items.0.seed'),
  };
}

/**
 * Studio: each item becomes one core item with one prompt. An item's own `maskId` wins; otherwise
 * `settings.maskId` goes with every item that has references.
 */
function translateStudio(body: SubmitItemsBody, common: Record<string, unknown>): Translation {
  const jobMaskId = body.settings?.maskId;
  const issues: ErrorIssue[] = [];
  if (jobMaskId !== undefined && body.items.every((item) => (item.referenceIds ?? []).length === 0)) {
    issues.push({ path: 'settings.maskId', message: 'a mask is painted on a reference image: add referenceIds to the items it applies to, or remove the mask' });
  }
  body.items.forEach((item, index) => {
    if (item.maskId !== undefined && (item.referenceIds ?? []).length === 0) {
      issues.push({ path: `items.${index}.maskId`, message: 'a mask is painted on a reference image: add referenceIds to this item, or remove its mask' });
    }
  });
  if (issues.length > 0) throw invalidInput(issues, 'Invalid job');
  const spec = {
    ...common,
    mode: 'studio',
    items: body.items.map((item) => {
      const referenceAssetIds = item.referenceIds ?? [];
      const maskId = item.maskId ?? jobMaskId;
      return {
        referenceAssetIds,
        ...(maskId !== undefined && referenceAssetIds.length > 0 ? { maskAssetId: maskId } : {}),
        prompts: [{ text: item.prompt, count: item.count ?? 1, ...(item.seed !== undefined ? { seed: item.seed } : {}) }],
      };
    }),
  } as JobSpecInput;
  return {
    spec,
    apiPath: (path) =>
      path
        .replace(/^items\.(\d+)\.referenceAssetIds/, 'items.$1.referenceIds')
        .replace(/^items\.(\d+)\.maskAssetId$/, (_match, index: string) => (body.items[Number(index)]?.maskId !== undefined ? `items.${index}.maskId` : 'settings.maskId'))
        .replace(/^items\.(\d+)\.prompts\.0\.text$/, 'items.$1.prompt')
        .replace(/^items\.(\d+)\.prompts\.0\.(count|seed)$/, 'items.$1.$2')
        .replace(/^items\.(\d+)\.prompts(\.0)?$/, 'items.$1'),
  };
}

/** Re-labels the core's `invalid_input` issues with the API's field names; other errors pass unchanged. */
function renameIssues(error: unknown, apiPath: (corePath: string) => string): unknown {
  if (!isImagefleetError(error) || error.code !== 'invalid_input' || error.issues.length === 0) return error;
  const issues = error.issues.map((issue) => ({ path: issue.path === '' ? '' : apiPath(issue.path), message: issue.message }));
  return invalidInput(issues, summaryOf(error));
}

function summaryOf(error: ImagefleetError): string {
  const firstPath = error.issues[0]?.path;
  if (firstPath && error.message.startsWith(`${firstPath}: `)) return 'Invalid job';
  const summary = error.message.split(': ')[0] ?? 'Invalid job';
  return summary === 'Invalid job spec' ? 'Invalid job' : summary;
}
