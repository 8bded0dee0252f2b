/**
 * The job submission: what the web form, the HTTP API and the CLI all hand to the planner. One zod
 * schema serves every shell and becomes the OpenAPI documentation, so every field is described
 * with its units and default. Model-specific limits (sizes, reference counts, masks) are checked
 * later by the planner against the chosen model's capabilities; this schema checks only what holds
 * for every model.
 */
import { z } from 'zod';
import { fromZodError } from './zod-issues.js';
import { invalidInput, isImagefleetError } from './errors.js';
import { limitIssues, maxReportedIssues } from './issue-limit.js';
import { aspectRatios, imageSizes } from './image-size.js';
import { executionModes, jobPriorities, lanes, type JobPriority } from './job.js';
import { parsePromptTemplate } from './prompt-template.js';
import { seedSchema } from './seeds.js';
import { webhookSubscriptionsSchema } from './webhook-subscription.js';

/** Most images one job may ask for; larger work is split into several jobs. */
export const maxImagesPerJob = 100_000;
/** Most reference images one automatic job may list. */
export const maxAutomaticReferences = 20_000;
/** Longest prompt, in characters. */
export const maxPromptLength = 10_000;
/** Longest job name, in characters. */
export const maxJobNameLength = 200;
/** Batch sizes a studio set may have. */
export const batchSizes = [1, 2, 4] as const;
/** Placeholders a CLI prompt template may always use, besides the combo and prompt variables. */
export const cliTemplateBuiltins = ['prompt', 'prompt_id', 'combo'] as const;

/** Most LoRAs one job may apply. */
export const maxLorasPerJob = 20;
/** Largest budget one job may have, in US dollars. */
export const maxBudgetUsd = 1_000_000;
/** Longest provider id, in characters. */
export const maxProviderIdLength = 64;
/** Longest model id, in characters. */
export const maxModelIdLength = 200;
/** Longest LoRA name, in characters. */
export const maxLoraNameLength = 200;
/** Longest id of a stored thing (asset, group), in characters: what imagefleet hands out (UUIDs), with room for other stores' ids. */
export const maxResourceIdLength = 128;

/*
 * The pieces below state each field's bounds and messages once, for both forms of a submission:
 * the job spec (this file) and the API's body (`job-submission.ts`). Where the two forms once
 * differed, the API's documented bounds and messages were kept (decision 0032).
 */

/** An id as imagefleet hands them out (asset, group), in a path or a body. */
export const resourceIdSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(maxResourceIdLength, { error: `must be at most ${maxResourceIdLength} characters` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'must be an id as the API returned it (letters, digits, "-" and "_")' });

/** A whole number in a closed range, every check with the same message. */
export function wholeNumberSchema(minimum: number, maximum: number) {
  const message = `must be a whole number from ${minimum} to ${maximum}`;
  return z.number({ error: message }).int({ error: message }).min(minimum, { error: message }).max(maximum, { error: message });
}

/** A prompt: 1 to `maxPromptLength` characters, not blank. */
export const promptTextSchema = z
  .string({ error: 'must be text' })
  .min(1, { error: 'must not be empty' })
  .max(maxPromptLength, { error: `must be at most ${maxPromptLength.toLocaleString('en-US')} characters` })
  .refine((text) => text.trim() !== '', { error: 'must not be blank' });

/** A provider id (`local`, `gemini`, …). */
export const providerIdSchema = z.string({ error: 'must be a provider id such as local or gemini' }).min(1, { error: 'must not be empty' }).max(maxProviderIdLength);
/** A model id as the provider lists it. */
export const modelIdSchema = z.string().min(1, { error: 'must not be empty' }).max(maxModelIdLength);
/** A LoRA name as the provider lists it. */
export const loraNameSchema = z.string().min(1, { error: 'must not be empty' }).max(maxLoraNameLength);
/** A LoRA weight, unitless, from -5 to 5. */
export const loraWeightSchema = z.number().min(-5, { error: 'must be from -5 to 5' }).max(5, { error: 'must be from -5 to 5' });
/** A spending cap in US dollars. */
export const budgetUsdSchema = z
  .number({ error: 'must be a number of US dollars' })
  .positive({ error: 'must be more than 0 (leave it out for no cap)' })
  .max(maxBudgetUsd, { error: `must be at most ${maxBudgetUsd}` });
/** An output size class. */
export const imageSizeSchema = z.enum(imageSizes, { error: `must be one of ${imageSizes.join(', ')}` });
/** An output aspect ratio. */
export const aspectRatioSchema = z.enum(aspectRatios, { error: `must be one of ${aspectRatios.join(', ')}` });
/** An img2img strength from 0 to 1. */
export const strengthSchema = z.number().min(0, { error: 'must be from 0 to 1' }).max(1, { error: 'must be from 0 to 1' });
/** A lane. */
export const laneSchema = z.enum(lanes, { error: 'must be online or batch' });
/** A priority. */
export const prioritySchemaBase = z.enum(jobPriorities, { error: 'must be interactive, normal or bulk' });
/** An execution mode. */
export const executionSchema = z.enum(executionModes, { error: 'must be parallel or sequential' });
/** Images per set. */
export const batchSizeSchemaBase = z.literal(batchSizes, { error: 'must be 1, 2 or 4' });

// Looser than `resourceIdSchema` (the API checks that first): the CLI's provisional ids and other stores' ids pass.
const assetIdSchema = z.string().min(1, { error: 'must be a non-empty asset id' });

const variablesSchema = z
  .record(z.string(), z.string())
  .default({})
  .describe('Named values (e.g. captured from folder names) usable as {name} placeholders in the prompt template and in export path templates. Default: none.');

const loraSchema = z.strictObject({
  name: loraNameSchema.describe('LoRA name exactly as the provider lists it.'),
  weight: loraWeightSchema.default(1).describe('LoRA weight, unitless multiplier from -5 to 5 (typically 0..2). Default: 1.'),
});

const settingsSchema = z
  .strictObject({
    size: imageSizeSchema.default('1K').describe('Output size class: 512 (~512×512 px), 1K (~1024×1024 px), 2K or 4K, scaled to the aspect ratio. The model must offer it. Default: 1K.'),
    aspectRatio: aspectRatioSchema.default('1:1').describe('Output aspect ratio as width:height. The model must offer it. Default: 1:1.'),
    negativePrompt: z
      .string()
      .max(maxPromptLength, { error: `must be at most ${maxPromptLength.toLocaleString('en-US')} characters` })
      .optional()
      .describe('What the images must not contain. Dropped with a warning on models without negative prompts. Default: none.'),
    strength: strengthSchema
      .optional()
      .describe('img2img denoising strength from 0 (keep the reference) to 1 (ignore it). Dropped with a warning on models without it. Default: the model’s own.'),
    loras: z
      .array(loraSchema)
      .max(maxLorasPerJob, { error: `must list at most ${maxLorasPerJob} LoRAs` })
      .optional()
      .describe(`LoRAs applied to every image, at most ${maxLorasPerJob}. Refused on models without LoRA support. Default: none.`),
    providerOptions: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Provider-specific options passed through untouched (see the provider’s documentation). Default: none.'),
  })
  .prefault({})
  .describe('Generation settings shared by every image of the job. Default: 1K, 1:1, nothing else.');

const seedField = seedSchema.optional();

/** Fields every mode shares. Priority and batch size are not here: their defaults differ by mode. */
const commonShape = {
  groupId: z.string().min(1, { error: 'must be a non-empty group id' }).optional().describe('Group (results folder) the job lands in. Default: the Default group.'),
  name: z
    .string()
    .max(maxJobNameLength, { error: `must be at most ${maxJobNameLength} characters` })
    .optional()
    .describe(`Free-form label shown in lists, at most ${maxJobNameLength} characters. Default: none.`),
  provider: providerIdSchema.default('local').describe('Provider id: local, gemini, sdwebui, comfyui or runpod. Default: local.'),
  model: modelIdSchema.default('local-transform').describe('Model id as the provider lists it. Default: local-transform.'),
  settings: settingsSchema,
  lane: laneSchema.default('online').describe('online = immediate calls; batch = the provider’s discounted asynchronous lane (slower, cheaper; only where the model offers it). Default: online.'),
  execution: executionSchema.default('parallel').describe('parallel = calls run concurrently up to the provider’s limits; sequential = one call at a time, in order. Default: parallel.'),
  budgetUsd: budgetUsdSchema
    .optional()
    .describe('Spending cap in US dollars; the job stops claiming work once spent plus in-flight cost would pass it. Default: no cap.'),
  seed: seedField.describe(
    `Seed of the first image, an integer from 0 to 4294967295; later images get seed+1, seed+2, … (wrapping to 0). Ignored with a warning on models without seeds. Default: a random seed per call.`,
  ),
  webhooks: webhookSubscriptionsSchema,
};

function prioritySchema(fallback: JobPriority) {
  return prioritySchemaBase
    .default(fallback)
    .describe(`Scheduling priority: interactive runs before normal, normal before bulk; equal priorities take turns. Default: ${fallback}.`);
}

function batchSizeSchema(fallback: (typeof batchSizes)[number]) {
  return batchSizeSchemaBase
    .default(fallback)
    .describe(`Images per set (1, 2 or 4): a prompt's images are grouped into sets shown together; a set becomes one call when the model can return that many images at once. Default: ${fallback}.`);
}

const automaticSpecSchema = z.strictObject({
  mode: z.literal('automatic').describe('Automatic: every reference image × one prompt × variationsPerImage.'),
  ...commonShape,
  priority: prioritySchema('normal'),
  batchSize: batchSizeSchema(1),
  referenceAssetIds: z
    .array(assetIdSchema)
    .min(1, { error: 'needs at least one reference image' })
    .max(maxAutomaticReferences, { error: `must list at most ${maxAutomaticReferences.toLocaleString('en-US')} reference images; split larger uploads into several jobs` })
    .describe(`Uploaded reference asset ids, 1 to ${maxAutomaticReferences.toLocaleString('en-US')}; each gets its own calls.`),
  prompt: promptTextSchema.describe(`The prompt applied to every reference, 1 to ${maxPromptLength.toLocaleString('en-US')} characters.`),
  variationsPerImage: wholeNumberSchema(1, 100)
    .default(1)
    .describe('Images made from each reference, 1 to 100. Default: 1.'),
});

const studioPromptSchema = z.strictObject({
  id: z.string().min(1, { error: 'must not be empty' }).optional().describe('Your identifier for this prompt, used to group results. Default: item-<i>-prompt-<j>.'),
  text: promptTextSchema.describe(`Prompt text, 1 to ${maxPromptLength.toLocaleString('en-US')} characters.`),
  count: wholeNumberSchema(1, 1000).describe('Images to make for this prompt, 1 to 1000; grouped into sets of batchSize.'),
  seed: seedField.describe('Seed of this prompt’s first image (0 to 4294967295), overriding the job seed; its images get seed, seed+1, …. Default: the job seed, else random.'),
});

const studioItemSchema = z
  .strictObject({
    referenceAssetIds: z
      .array(assetIdSchema)
      .describe('Reference asset ids sent together with each prompt of this item, in order; empty = text-to-image. The model limits how many.'),
    maskAssetId: assetIdSchema.optional().describe('Inpainting mask asset (white = change, black = keep), same size as the first reference. Needs a model with masks. Default: none.'),
    prompts: z.array(studioPromptSchema).min(1, { error: 'needs at least one prompt' }).describe('Prompts run against this item’s references, each with its own count.'),
  })
  .superRefine((item, context) => {
    if (item.maskAssetId !== undefined && item.referenceAssetIds.length === 0) {
      context.addIssue({ code: 'custom', path: ['maskAssetId'], message: 'a mask needs a reference image to paint on; add one to referenceAssetIds or remove the mask' });
    }
  });

const studioSpecSchema = z.strictObject({
  mode: z.literal('studio').describe('Studio: for each item, each of its prompts × its count, in sets of batchSize.'),
  ...commonShape,
  priority: prioritySchema('interactive'),
  batchSize: batchSizeSchema(4),
  items: z.array(studioItemSchema).min(1, { error: 'needs at least one item' }).describe('Reference sets with their prompts.'),
});

const cliComboSchema = z.strictObject({
  id: z.string().min(1, { error: 'must not be empty' }).describe('Identifier of this reference combo (usually its folder path); unique within the job.'),
  referenceAssetIds: z.array(assetIdSchema).describe('Reference asset ids of this combo, in order; empty = text-to-image. The model limits how many.'),
  variables: variablesSchema,
});

const cliPromptSchema = z.strictObject({
  id: z.string().min(1, { error: 'must not be empty' }).describe('Identifier of this prompt (usually its file path); unique within the job.'),
  text: promptTextSchema.describe(`Prompt text, 1 to ${maxPromptLength.toLocaleString('en-US')} characters.`),
  variables: variablesSchema,
});

const cliSpecSchema = z
  .strictObject({
    mode: z.literal('cli').describe('CLI: every combo × every prompt × countPerPair.'),
    ...commonShape,
    priority: prioritySchema('normal'),
    batchSize: batchSizeSchema(1),
    combos: z.array(cliComboSchema).min(1, { error: 'needs at least one combo' }).describe('Reference combos (one per folder).'),
    prompts: z.array(cliPromptSchema).min(1, { error: 'needs at least one prompt' }).describe('Prompts (one per prompt file).'),
    countPerPair: wholeNumberSchema(1, 100)
      .default(1)
      .describe('Images per combo × prompt pair, 1 to 100. Default: 1.'),
    promptTemplate: z
      .string()
      .min(1, { error: 'must not be empty (omit it to send prompts as they are)' })
      .max(maxPromptLength, { error: `must be at most ${maxPromptLength.toLocaleString('en-US')} characters` })
      .optional()
      .describe(
        'Template of the text sent for each pair, e.g. "{prompt}, in the style of {style}". Placeholders: {prompt}, {prompt_id}, {combo} and any variable every pair has (prompt variables override combo ones); "{{" and "}}" are literal braces. Default: the prompt text as is.',
      ),
  })
  .superRefine((spec, context) => {
    addDuplicateIdIssues(spec.combos, 'combos', context);
    addDuplicateIdIssues(spec.prompts, 'prompts', context);
    if (spec.promptTemplate !== undefined) addTemplateIssues(spec.promptTemplate, spec.combos, spec.prompts, context);
  });

/** The job submission, discriminated by `mode`. */
export const jobSpecSchema = z
  .discriminatedUnion('mode', [automaticSpecSchema, studioSpecSchema, cliSpecSchema], {
    error: (issue) => (issue.code === 'invalid_union' ? 'must be one of automatic, studio, cli' : undefined),
  })
  .superRefine((spec, context) => {
    const imageCount = requestedImageCount(spec);
    if (imageCount > maxImagesPerJob) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: `this job asks for ${imageCount.toLocaleString('en-US')} images; one job may ask for at most ${maxImagesPerJob.toLocaleString('en-US')} — split it into several jobs`,
      });
    }
  })
  .describe('A job submission: what to generate, with which provider and model, and how to run it.');

/** A validated job submission, defaults applied. */
export type JobSpec = z.output<typeof jobSpecSchema>;
/** What a client may send (defaults not yet applied). */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type AutomaticJobSpec = Extract<JobSpec, { mode: 'automatic' }>;
export type StudioJobSpec = Extract<JobSpec, { mode: 'studio' }>;
export type CliJobSpec = Extract<JobSpec, { mode: 'cli' }>;
/** A CLI-mode submission as a client writes it (defaults not yet applied). */
export type CliJobSpecInput = Extract<JobSpecInput, { mode: 'cli' }>;

/**
 * Validates a submission and applies defaults. Throws `invalid_input` with one issue per bad field,
 * each naming its dotted path (e.g. `items.0.prompts.1.count`).
 */
export function parseJobSpec(input: unknown): JobSpec {
  const result = jobSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const error = fromZodError(result.error, 'Invalid job spec');
  throw error.issues.length > maxReportedIssues ? invalidInput(limitIssues(error.issues), 'Invalid job spec') : error;
}

/** Images a spec asks for in total, before any model limit: what the 100,000-image cap counts. */
export function requestedImageCount(spec: JobSpec): number {
  switch (spec.mode) {
    case 'automatic':
      return spec.referenceAssetIds.length * spec.variationsPerImage;
    case 'studio': {
      let total = 0;
      for (const item of spec.items) for (const prompt of item.prompts) total += prompt.count;
      return total;
    }
    case 'cli':
      return spec.combos.length * spec.prompts.length * spec.countPerPair;
  }
}

function addDuplicateIdIssues(entries: readonly { id: string }[], field: string, context: z.RefinementCtx): void {
  const firstIndexById = new Map<string, number>();
  entries.forEach((entry, index) => {
    const firstIndex = firstIndexById.get(entry.id);
    if (firstIndex === undefined) firstIndexById.set(entry.id, index);
    else context.addIssue({ code: 'custom', path: [field, index, 'id'], message: `duplicate id "${entry.id}" (also ${field}.${firstIndex}.id); ids must be unique` });
  });
}

/**
 * A placeholder is usable when every combo × prompt pair supplies it. That holds exactly when all
 * combos have it or all prompts have it, which is checked in linear time instead of over all pairs.
 */
function addTemplateIssues(
  template: string,
  combos: readonly { id: string; variables: Record<string, string> }[],
  prompts: readonly { id: string; variables: Record<string, string> }[],
  context: z.RefinementCtx,
): void {
  let names: string[];
  try {
    names = [...new Set(parsePromptTemplate(template).flatMap((part) => (part.kind === 'placeholder' ? [part.name] : [])))];
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    for (const issue of error.issues) context.addIssue({ code: 'custom', path: ['promptTemplate'], message: issue.message });
    return;
  }
  const builtins: readonly string[] = cliTemplateBuiltins;
  const unknown: string[] = [];
  const partial: string[] = [];
  for (const name of names) {
    if (builtins.includes(name)) continue;
    const comboLacking = combos.find((combo) => !Object.hasOwn(combo.variables, name));
    const promptLacking = prompts.find((prompt) => !Object.hasOwn(prompt.variables, name));
    if (!comboLacking || !promptLacking) continue;
    const anywhere = combos.some((combo) => Object.hasOwn(combo.variables, name)) || prompts.some((prompt) => Object.hasOwn(prompt.variables, name));
    if (anywhere) partial.push(`{${name}} (missing for combo "${comboLacking.id}" × prompt "${promptLacking.id}")`);
    else unknown.push(`{${name}}`);
  }
  if (unknown.length > 0) {
    const known = new Set<string>(builtins);
    for (const entry of [...combos, ...prompts]) for (const name of Object.keys(entry.variables)) known.add(name);
    context.addIssue({
      code: 'custom',
      path: ['promptTemplate'],
      message: `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...known].map((name) => `{${name}}`).join(', ')}`,
    });
  }
  if (partial.length > 0) {
    context.addIssue({ code: 'custom', path: ['promptTemplate'], message: `placeholder not provided by every pair: ${partial.join(', ')}` });
  }
}
