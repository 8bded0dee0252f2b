/**
 * The job submission as API clients write it (`POST /api/jobs/submit`, issue 5's contract): items
 * of references × prompt × count, or the automatic shorthand; and its translation into the job
 * spec the planner takes (`job-spec.ts`). Both forms are built from the same field pieces, so a
 * field's bounds and messages are stated once. Other programs depend on this shape: extend it,
 * never rename a field. The OpenAPI document is generated from these schemas.
 */
import { z } from 'zod';
import { invalidInput, isImagefleetError, type ErrorIssue, type ImagefleetError } from './errors.js';
import {
  aspectRatioSchema,
  batchSizeSchemaBase,
  budgetUsdSchema,
  executionSchema,
  imageSizeSchema,
  laneSchema,
  loraNameSchema,
  loraWeightSchema,
  maxAutomaticReferences,
  maxJobNameLength,
  maxLorasPerJob,
  maxPromptLength,
  modelIdSchema,
  prioritySchemaBase,
  promptTextSchema,
  providerIdSchema,
  resourceIdSchema,
  strengthSchema,
  wholeNumberSchema,
  type JobSpecInput,
} from './job-spec.js';
import { offsetSeed, seedSchema } from './seeds.js';
import { webhookSubscriptionsSchema } from './webhook-subscription.js';

/** Most items one submission may list. */
export const maxSubmitItems = 10_000;
/** Most references one item may list (the model may allow fewer). */
export const maxItemReferences = 16;

const loraSchema = z.strictObject({
  name: loraNameSchema.describe('LoRA name as the provider lists it.'),
  weight: loraWeightSchema.optional().describe('Weight from -5 to 5. Default 1.'),
});

export const submitSettingsSchema = z
  .strictObject({
    size: imageSizeSchema.optional().describe('Output size class: 512, 1K, 2K or 4K. Default 1K.'),
    aspectRatio: aspectRatioSchema.optional().describe('Width:height, e.g. 3:4. Default 1:1.'),
    negativePrompt: z.string().max(maxPromptLength).optional().describe('What the images must not show (models that support it; dropped with a warning otherwise).'),
    strength: strengthSchema.optional().describe('How far to move away from the references, 0 to 1 (models that support it).'),
    loras: z.array(loraSchema).max(maxLorasPerJob, { error: `must list at most ${maxLorasPerJob} LoRAs` }).optional().describe('LoRAs applied to every image (models that support them).'),
    maskId: resourceIdSchema.optional().describe('Uploaded mask (white = change, black = keep) applied with every item that has references; inpainting models only.'),
    providerOptions: z.record(z.string(), z.unknown()).optional().describe('Provider-specific options, passed through untouched.'),
  })
  .describe('Generation settings for every image of the job.');

const submitItemSchema = z.strictObject({
  referenceIds: z
    .array(resourceIdSchema)
    .max(maxItemReferences, { error: `must list at most ${maxItemReferences} references` })
    .optional()
    .describe('Uploaded asset ids sent with the prompt, in order; none = text-to-image. Automatic mode takes exactly one per item.'),
  prompt: promptTextSchema.describe(`The prompt, 1 to ${maxPromptLength.toLocaleString('en-US')} characters.`),
  count: wholeNumberSchema(1, 1000).optional().describe('Images for this item, 1 to 1000. Default 1.'),
  seed: seedSchema.optional().describe('Seed of the item’s first image (0 to 4294967295); its next images take seed+1, seed+2, …. Default random.'),
  maskId: resourceIdSchema
    .optional()
    .describe('Studio: uploaded mask (white = change, black = keep) for this item only, painted over its first reference; overrides settings.maskId. Inpainting models only.'),
});

/** Fields both forms share. */
const commonSubmitShape = {
  groupId: resourceIdSchema.optional().describe('Group (results folder) to put the job in. Default: the Default group.'),
  groupName: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' })
    .optional()
    .describe('Group by name instead of id; created when no group has that name (case-insensitive). Not together with groupId.'),
  name: z.string().max(maxJobNameLength).optional().describe(`A label for the job, at most ${maxJobNameLength} characters. Default: the start of the prompt.`),
  provider: providerIdSchema.describe('Provider id: local, gemini, … (see GET /api/health).'),
  model: modelIdSchema.optional().describe('Model id; default: the provider’s first (default) model.'),
  settings: submitSettingsSchema.optional(),
  lane: laneSchema.optional().describe('online (immediate) or batch (the provider’s cheaper asynchronous lane). Default online.'),
  priority: prioritySchemaBase.optional().describe('interactive > normal > bulk. Default: normal (automatic), interactive (studio).'),
  execution: executionSchema.optional().describe('parallel or sequential (one call at a time, in order). Default parallel.'),
  budgetUsd: budgetUsdSchema
    .optional()
    .describe('Spending cap in USD; the job pauses before passing it. Default: none.'),
  batchSize: batchSizeSchemaBase
    .optional()
    .describe('Images per set (1, 2 or 4). Default: 1 (automatic), 4 (studio).'),
  webhooks: webhookSubscriptionsSchema,
};

/** The general form: items of references × prompt × count. */
export const submitItemsBodySchema = z
  .strictObject({
    mode: z.enum(['automatic', 'studio'], { error: 'must be automatic or studio' }).describe('automatic: one prompt over many references; studio: items with their own prompts.'),
    ...commonSubmitShape,
    items: z
      .array(submitItemSchema)
      .min(1, { error: 'needs at least one item' })
      .max(maxSubmitItems, { error: `must list at most ${maxSubmitItems.toLocaleString('en-US')} items; split the work into several jobs` }),
  })
  .meta({ id: 'SubmitJobItems', description: 'A job as items of references × prompt × count.' });

/** The automatic shorthand: every reference × one prompt × variationsPerImage. */
export const submitAutomaticBodySchema = z
  .strictObject({
    mode: z.literal('automatic', { error: 'must be automatic' }),
    ...commonSubmitShape,
    referenceIds: z
      .array(resourceIdSchema)
      .min(1, { error: 'needs at least one reference' })
      .max(maxAutomaticReferences, { error: `must list at most ${maxAutomaticReferences.toLocaleString('en-US')} references` })
      .describe('Uploaded asset ids; each gets its own images.'),
    prompt: promptTextSchema.describe('The prompt applied to every reference.'),
    variationsPerImage: wholeNumberSchema(1, 100).optional().describe('Images per reference, 1 to 100. Default 1.'),
    seed: seedSchema.optional().describe('Seed of the first image; the next take seed+1, seed+2, … across references. Default random.'),
  })
  .meta({ id: 'SubmitJobAutomatic', description: 'Automatic shorthand: every reference × prompt × variationsPerImage.' });

/** For documentation: either form. The handler picks the form itself for precise messages. */
export const submitBodySchema = z.union([submitItemsBodySchema, submitAutomaticBodySchema]).meta({ id: 'SubmitJob' });

export type SubmitItemsBody = z.output<typeof submitItemsBodySchema>;
export type SubmitAutomaticBody = z.output<typeof submitAutomaticBodySchema>;
export type SubmitBody = SubmitItemsBody | SubmitAutomaticBody;

/** A submission turned into a job spec, with the way back from the spec's field paths to the client's. */
export interface SubmissionTranslation {
  spec: JobSpecInput;
  /** Core field path (`items.0.prompts.0.count`) → the field the client sent (`items.0.count`). */
  submissionPath: (corePath: string) => string;
}

type SpecCommon = Omit<Extract<JobSpecInput, { mode: 'studio' }>, 'mode' | 'items' | 'priority' | 'batchSize'> &
  Pick<JobSpecInput, 'priority' | 'batchSize'>;

const automaticTakesNoMask = 'automatic mode takes no mask; use mode studio for inpainting';

/**
 * Translates a validated submission into a job spec (not yet validated: the submit operation
 * parses it). `defaultModel` is the provider's first model, used when the body names none.
 * Throws `invalid_input` naming the client's fields for what the spec cannot express.
 */
export function jobSpecFromSubmission(body: SubmitBody, defaultModel: string | undefined): SubmissionTranslation {
  const { settings } = body;
  const model = body.model ?? defaultModel;
  const common: SpecCommon = {
    provider: body.provider,
    ...(model !== undefined ? { model } : {}),
    ...(body.groupId !== undefined ? { groupId: body.groupId } : {}),
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

/** Re-labels the spec's `invalid_input` issues with the client's field names; other errors pass unchanged. */
export function relabelSubmissionError(error: unknown, submissionPath: (corePath: string) => string): unknown {
  if (!isImagefleetError(error) || error.code !== 'invalid_input' || error.issues.length === 0) return error;
  const issues = error.issues.map((issue) => ({ path: issue.path === '' ? '' : submissionPath(issue.path), message: issue.message }));
  return invalidInput(issues, summaryOf(error));
}

function summaryOf(error: ImagefleetError): string {
  const firstPath = error.issues[0]?.path;
  if (firstPath && error.message.startsWith(`${firstPath}: `)) return 'Invalid job';
  const summary = error.message.split(': ')[0] ?? 'Invalid job';
  return summary === 'Invalid job spec' ? 'Invalid job' : summary;
}

function translateShorthand(body: SubmitAutomaticBody, common: SpecCommon): SubmissionTranslation {
  if (body.settings?.maskId !== undefined) throw invalidInput([{ path: 'settings.maskId', message: automaticTakesNoMask }], 'Invalid job');
  const spec: Extract<JobSpecInput, { mode: 'automatic' }> = {
    ...common,
    mode: 'automatic',
    referenceAssetIds: body.referenceIds,
    prompt: body.prompt,
    ...(body.variationsPerImage !== undefined ? { variationsPerImage: body.variationsPerImage } : {}),
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
  };
  return { spec, submissionPath: (path) => path.replace(/^referenceAssetIds/, 'referenceIds') };
}

/**
 * Automatic mode with items: every item is one reference with the same prompt and count (the
 * automatic spec). Anything else is refused with a pointer to studio mode.
 */
function translateAutomaticItems(body: SubmitItemsBody, common: SpecCommon): SubmissionTranslation {
  const issues: ErrorIssue[] = [];
  const [first] = body.items;
  const count = first?.count ?? 1;
  const firstSeed = first?.seed;
  if (body.settings?.maskId !== undefined) issues.push({ path: 'settings.maskId', message: automaticTakesNoMask });
  body.items.forEach((item, index) => {
    if (item.maskId !== undefined) issues.push({ path: `items.${index}.maskId`, message: automaticTakesNoMask });
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
  const spec: Extract<JobSpecInput, { mode: 'automatic' }> = {
    ...common,
    mode: 'automatic',
    referenceAssetIds: body.items.map((item) => item.referenceIds?.[0] ?? ''),
    prompt: first?.prompt ?? '',
    variationsPerImage: count,
    ...(firstSeed !== undefined ? { seed: firstSeed } : {}),
  };
  return {
    spec,
    submissionPath: (path) =>
      path
        .replace(/^referenceAssetIds\.(\d+)/, 'items.$1.referenceIds.0')
        .replace(/^referenceAssetIds$/, 'items')
        .replace(/^prompt$/, 'items.0.prompt')
        .replace(/^variationsPerImage$/, 'items.0.count')
        .replace(/^seed$/, 'items.0.seed'),
  };
}

/**
 * Studio: each item becomes one spec item with one prompt. An item's own `maskId` wins; otherwise
 * `settings.maskId` goes with every item that has references.
 */
function translateStudio(body: SubmitItemsBody, common: SpecCommon): SubmissionTranslation {
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
  const spec: Extract<JobSpecInput, { mode: 'studio' }> = {
    ...common,
    mode: 'studio',
    items: body.items.map((item): Extract<JobSpecInput, { mode: 'studio' }>['items'][number] => {
      const referenceAssetIds = item.referenceIds ?? [];
      const maskId = item.maskId ?? jobMaskId;
      return {
        referenceAssetIds,
        ...(maskId !== undefined && referenceAssetIds.length > 0 ? { maskAssetId: maskId } : {}),
        prompts: [{ text: item.prompt, count: item.count ?? 1, ...(item.seed !== undefined ? { seed: item.seed } : {}) }],
      };
    }),
  };
  return {
    spec,
    submissionPath: (path) =>
      path
        .replace(/^items\.(\d+)\.referenceAssetIds/, 'items.$1.referenceIds')
        .replace(/^items\.(\d+)\.maskAssetId$/, (_match, index: string) => (body.items[Number(index)]?.maskId !== undefined ? `items.${index}.maskId` : 'settings.maskId'))
        .replace(/^items\.(\d+)\.prompts\.0\.text$/, 'items.$1.prompt')
        .replace(/^items\.(\d+)\.prompts\.0\.(count|seed)$/, 'items.$1.$2')
        .replace(/^items\.(\d+)\.prompts(\.0)?$/, 'items.$1'),
  };
}
