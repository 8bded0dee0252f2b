/**
 * The job routes' contract (issue 5): the submit body in its two forms (items, and the automatic
 * shorthand), the plan summary, the status report and the results page. Other programs depend on
 * these shapes: extend them, never rename a field.
 */
import { z } from 'zod';
import { aspectRatios, imageSizes } from '../../core/image-size.js';
import { executionModes, jobModes, jobPriorities, jobStatuses, lanes } from '../../core/job.js';
import { maxAutomaticReferences, maxJobNameLength, maxPromptLength } from '../../core/job-spec.js';
import { maxSeed, seedRangeMessage } from '../../core/seeds.js';
import { webhookSubscriptionsSchema } from '../../core/webhook-subscription.js';
import { flagSchema, idSchema, pageCursorQuerySchema, pageLimitQuerySchema, timestampSchema } from './common.js';
import { submittedWebhookSchema } from './webhooks.js';

/** Most items one submission may list. */
export const maxSubmitItems = 10_000;
/** Most references one item may list (the model may allow fewer). */
export const maxItemReferences = 16;

const wholeNumber = (minimum: number, maximum: number) =>
  z
    .number({ error: `must be a whole number from ${minimum} to ${maximum}` })
    .int({ error: `must be a whole number from ${minimum} to ${maximum}` })
    .min(minimum, { error: `must be a whole number from ${minimum} to ${maximum}` })
    .max(maximum, { error: `must be a whole number from ${minimum} to ${maximum}` });

const seedSchema = z
  .number({ error: seedRangeMessage })
  .int({ error: seedRangeMessage })
  .min(0, { error: seedRangeMessage })
  .max(maxSeed, { error: seedRangeMessage });

const promptSchema = z
  .string({ error: 'must be text' })
  .min(1, { error: 'must not be empty' })
  .max(maxPromptLength, { error: `must be at most ${maxPromptLength.toLocaleString('en-US')} characters` })
  .refine((text) => text.trim() !== '', { error: 'must not be blank' });

const loraSchema = z.strictObject({
  name: z.string().min(1, { error: 'must not be empty' }).max(200).describe('LoRA name as the provider lists it.'),
  weight: z.number().min(-5, { error: 'must be from -5 to 5' }).max(5, { error: 'must be from -5 to 5' }).optional().describe('Weight from -5 to 5. Default 1.'),
});

export const submitSettingsSchema = z
  .strictObject({
    size: z.enum(imageSizes, { error: `must be one of ${imageSizes.join(', ')}` }).optional().describe('Output size class: 512, 1K, 2K or 4K. Default 1K.'),
    aspectRatio: z.enum(aspectRatios, { error: `must be one of ${aspectRatios.join(', ')}` }).optional().describe('Width:height, e.g. 3:4. Default 1:1.'),
    negativePrompt: z.string().max(maxPromptLength).optional().describe('What the images must not show (models that support it; dropped with a warning otherwise).'),
    strength: z.number().min(0, { error: 'must be from 0 to 1' }).max(1, { error: 'must be from 0 to 1' }).optional().describe('How far to move away from the references, 0 to 1 (models that support it).'),
    loras: z.array(loraSchema).max(20, { error: 'must list at most 20 LoRAs' }).optional().describe('LoRAs applied to every image (models that support them).'),
    maskId: idSchema.optional().describe('Uploaded mask (white = change, black = keep) applied with every item that has references; inpainting models only.'),
    providerOptions: z.record(z.string(), z.unknown()).optional().describe('Provider-specific options, passed through untouched.'),
  })
  .describe('Generation settings for every image of the job.');

const submitItemSchema = z.strictObject({
  referenceIds: z
    .array(idSchema)
    .max(maxItemReferences, { error: `must list at most ${maxItemReferences} references` })
    .optional()
    .describe('Uploaded asset ids sent with the prompt, in order; none = text-to-image. Automatic mode takes exactly one per item.'),
  prompt: promptSchema.describe(`The prompt, 1 to ${maxPromptLength.toLocaleString('en-US')} characters.`),
  count: wholeNumber(1, 1000).optional().describe('Images for this item, 1 to 1000. Default 1.'),
  seed: seedSchema.optional().describe('Seed of the item’s first image (0 to 4294967295); its next images take seed+1, seed+2, …. Default random.'),
  maskId: idSchema
    .optional()
    .describe('Studio: uploaded mask (white = change, black = keep) for this item only, painted over its first reference; overrides settings.maskId. Inpainting models only.'),
});

/** Fields both forms share. */
const commonSubmitShape = {
  groupId: idSchema.optional().describe('Group (results folder) to put the job in. Default: the Default group.'),
  groupName: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' })
    .optional()
    .describe('Group by name instead of id; created when no group has that name (case-insensitive). Not together with groupId.'),
  name: z.string().max(maxJobNameLength).optional().describe(`A label for the job, at most ${maxJobNameLength} characters. Default: the start of the prompt.`),
  provider: z.string({ error: 'must be a provider id such as local or gemini' }).min(1, { error: 'must not be empty' }).max(64).describe('Provider id: local, gemini, … (see GET /api/health).'),
  model: z.string().min(1, { error: 'must not be empty' }).max(200).optional().describe('Model id; default: the provider’s first (default) model.'),
  settings: submitSettingsSchema.optional(),
  lane: z.enum(lanes, { error: 'must be online or batch' }).optional().describe('online (immediate) or batch (the provider’s cheaper asynchronous lane). Default online.'),
  priority: z.enum(jobPriorities, { error: 'must be interactive, normal or bulk' }).optional().describe('interactive > normal > bulk. Default: normal (automatic), interactive (studio).'),
  execution: z.enum(executionModes, { error: 'must be parallel or sequential' }).optional().describe('parallel or sequential (one call at a time, in order). Default parallel.'),
  budgetUsd: z
    .number({ error: 'must be a number of US dollars' })
    .positive({ error: 'must be more than 0 (leave it out for no cap)' })
    .max(1_000_000, { error: 'must be at most 1000000' })
    .optional()
    .describe('Spending cap in USD; the job pauses before passing it. Default: none.'),
  batchSize: z
    .literal([1, 2, 4], { error: 'must be 1, 2 or 4' })
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
      .array(idSchema)
      .min(1, { error: 'needs at least one reference' })
      .max(maxAutomaticReferences, { error: `must list at most ${maxAutomaticReferences.toLocaleString('en-US')} references` })
      .describe('Uploaded asset ids; each gets its own images.'),
    prompt: promptSchema.describe('The prompt applied to every reference.'),
    variationsPerImage: wholeNumber(1, 100).optional().describe('Images per reference, 1 to 100. Default 1.'),
    seed: seedSchema.optional().describe('Seed of the first image; the next take seed+1, seed+2, … across references. Default random.'),
  })
  .meta({ id: 'SubmitJobAutomatic', description: 'Automatic shorthand: every reference × prompt × variationsPerImage.' });

/** For documentation: either form. The handler picks the form itself for precise messages. */
export const submitBodySchema = z.union([submitItemsBodySchema, submitAutomaticBodySchema]).meta({ id: 'SubmitJob' });

export type SubmitItemsBody = z.output<typeof submitItemsBodySchema>;
export type SubmitAutomaticBody = z.output<typeof submitAutomaticBodySchema>;
export type SubmitBody = SubmitItemsBody | SubmitAutomaticBody;

export const submitQuerySchema = z.strictObject({
  dryRun: flagSchema.optional().describe('1: plan and estimate only; nothing is created.'),
});

export const planSchema = z
  .object({
    tasks: z.number().int().describe('Provider calls.'),
    images: z.number().int().describe('Images the calls produce.'),
    estimate: z.object({
      costUsd: z.number().nullable().describe('Cost on the chosen lane, USD; null when not priced.'),
      costUsdByLane: z.record(z.string(), z.number()).describe('Cost on every lane the model offers, USD.'),
      durationSeconds: z.number().describe('Approximate time at the configured limits.'),
      assumptions: z.string().describe('What the estimate assumes, in words.'),
    }),
    warnings: z.array(z.string()).describe('Settings dropped or adjusted, said plainly.'),
    skippedTasks: z.number().int().describe('Tasks left out because the same call already completed.'),
  })
  .meta({ id: 'Plan' });

export const submitResponseSchema = z
  .object({
    id: idSchema.describe('The new job’s id.'),
    groupId: idSchema,
    status: z.enum(jobStatuses),
    plan: planSchema,
    webhooks: z.array(submittedWebhookSchema).describe('The job’s own webhook endpoints (not the server-wide one), with each generated secret shown this once.'),
  })
  .meta({ id: 'SubmittedJob' });

export const dryRunResponseSchema = z
  .object({
    dryRun: z.literal(true),
    groupId: idSchema.nullable().describe('The group the job would go to; null when it does not exist yet (Default, or a new groupName).'),
    plan: planSchema,
  })
  .meta({ id: 'DryRun' });

export const jobStatusSchema = z
  .object({
    id: idSchema,
    groupId: idSchema,
    name: z.string(),
    mode: z.string(),
    provider: z.string(),
    model: z.string(),
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable().describe('Why the job is paused or failed.'),
    counts: z
      .object({
        total: z.number().int(),
        pending: z.number().int(),
        running: z.number().int(),
        completed: z.number().int(),
        failed: z.number().int(),
        blocked: z.number().int(),
        canceled: z.number().int(),
      })
      .describe('Images (not tasks) by state.'),
    progress: z.number().describe('Finished images ÷ all images, 0..1.'),
    ratePerMinute: z.number().describe('Images completed per minute over the last five minutes (of its run, for a finished job: it no longer changes).'),
    etaSeconds: z.number().nullable().describe('Seconds until done at the current rate; null when unknown.'),
    cost: z.object({ estimatedUsd: z.number(), spentUsd: z.number() }),
    errors: z.array(z.object({ code: z.string(), message: z.string(), taskCount: z.number().int(), status: z.string() })).describe('Current error reasons, most frequent first.'),
    createdAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'JobStatus' });

export const resultsQuerySchema = z.strictObject({
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: 500, defaultValue: 50, what: 'Images' }),
  prompt: z.string().max(1000).optional().describe('Only images whose prompt contains this text (case-insensitive).'),
  promptId: z.string().max(500).optional().describe('Only images of this prompt id.'),
  source: z.string().max(255).optional().describe('Only images made from an uploaded reference whose file name contains this text (case-insensitive).'),
  status: z.enum(['kept', 'discarded', 'all'], { error: 'must be kept, discarded or all' }).optional().describe('kept (default), discarded, or all.'),
  favorite: flagSchema.optional().describe('1: only favourites; 0: only the others.'),
});

export const resultItemSchema = z
  .object({
    id: idSchema,
    url: z.string().describe('The image file (GET).'),
    thumbUrl: z.string().describe('Its WebP thumbnail (GET).'),
    prompt: z.string(),
    promptId: z.string(),
    seed: z.number().int().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    mimeType: z.string(),
    byteSize: z.number().int(),
    referenceIds: z.array(idSchema),
    referenceNames: z.array(z.string()).optional().describe('The uploaded file names of the references, in the order of referenceIds: which product photo an Automatic result was made from.'),
    favorite: z.boolean(),
    discarded: z.boolean(),
    jobId: idSchema,
    taskId: idSchema,
    index: z.number().int().describe('Position in its task’s output.'),
    createdAt: timestampSchema,
    provider: z.string().optional().describe('The provider that made it.'),
    model: z.string().optional().describe('The model that made it.'),
    costUsd: z.number().optional().describe('Its share of its call’s cost, USD; absent when the call reported none.'),
  })
  .meta({ id: 'ResultImage' });

export const resultsResponseSchema = z
  .object({
    items: z.array(resultItemSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
    total: z.number().int().nullable().describe('How many images match the filters, on the first page (no cursor); null on later pages.'),
  })
  .meta({ id: 'Results' });

export const jobControlResponseSchema = z
  .object({
    id: idSchema,
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable(),
    retriedTasks: z.number().int().optional().describe('retry-failed only: tasks queued again.'),
  })
  .meta({ id: 'JobControl' });

export const jobActionParamsSchema = z.strictObject({
  id: idSchema,
  action: z.enum(['pause', 'resume', 'cancel', 'retry-failed'], { error: 'must be pause, resume, cancel or retry-failed' }),
});

export const pauseBodySchema = z.strictObject({
  reason: z.string().max(500).optional().describe('pause only: why, shown with the job.'),
});

export const jobListQuerySchema = z.strictObject({
  groupId: idSchema.optional().describe('Only this group’s jobs.'),
  mode: z.enum(jobModes, { error: 'must be automatic, studio or cli' }).optional().describe('Only jobs made in this mode.'),
  status: z
    .string()
    .max(200)
    .transform((text, context) => {
      const statuses = text.split(',').map((part) => part.trim());
      const unknown = statuses.filter((status) => !(jobStatuses as readonly string[]).includes(status));
      if (unknown.length > 0) {
        context.addIssue({ code: 'custom', message: `must be job statuses separated by commas (${jobStatuses.join(', ')}); got ${unknown.map((status) => JSON.stringify(status)).join(', ')}` });
        return z.NEVER;
      }
      return statuses as Array<(typeof jobStatuses)[number]>;
    })
    .optional()
    .describe('Only jobs in these statuses, comma-separated, e.g. queued,processing.')
    .meta({ pattern: `^(${jobStatuses.join('|')})(,(${jobStatuses.join('|')}))*$` } as Record<string, unknown>),
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: 200, defaultValue: 50, what: 'Jobs' }),
});

export const jobListItemSchema = z
  .object({
    id: idSchema,
    groupId: idSchema,
    name: z.string(),
    mode: z.enum(jobModes),
    provider: z.string(),
    model: z.string(),
    lane: z.enum(lanes),
    status: z.enum(jobStatuses),
    statusReason: z.string().nullable(),
    counts: z.object({ total: z.number().int(), pending: z.number().int(), running: z.number().int(), completed: z.number().int(), failed: z.number().int(), blocked: z.number().int(), canceled: z.number().int() }).describe('Images by state.'),
    progress: z.number().describe('Finished images ÷ all, 0..1.'),
    createdAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'JobListItem' });

export const jobListResponseSchema = z
  .object({
    items: z.array(jobListItemSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
  })
  .meta({ id: 'JobList' });
