/** The providers route's contract: what each provider and model can do, its limits and state. */
import { z } from 'zod';

const limitsSchema = z.object({
  requestsPerMinute: z.number().int().describe('Requests per minute across every process; 0 = unlimited.'),
  maxConcurrency: z.number().int().describe('Most calls in flight at once.'),
  cooldownMs: z.number().int().describe('Minimum gap between two request starts, ms; 0 = none.'),
  learnedRate: z.boolean().describe('True when the rate is `auto` (the default for Gemini): the engine learns it from the 429s; `requestsPerMinute` is then 0.'),
});

const learnedRateSchema = z
  .object({
    limitKey: z.string().describe('The limit key (`provider:model`) the rate was learned for.'),
    phase: z.enum(['discovering', 'learned']).describe('discovering: no 429 seen yet, the rate doubles as calls succeed; learned: estimated from a 429.'),
    requestsPerMinute: z.number().describe('The pace now, requests per minute (shared by every process).'),
    estimatedRequestsPerMinute: z.number().nullable().describe('The quota estimated at the last 429, requests per minute; null while discovering.'),
    imagesPerMinute: z.number().nullable().describe('The images-per-minute pace, once a 429 named that quota; else null.'),
    inputTokensPerMinute: z.number().nullable().describe('The input-tokens-per-minute pace, once a 429 named that quota; else null.'),
    pausedUntilMs: z.number().int().nullable().describe('Epoch ms until which an announced retry delay holds every start; null when none.'),
  })
  .meta({ id: 'LearnedRate' });

export const providerModelSchema = z
  .object({
    id: z.string().describe('Model id as jobs name it.'),
    aliases: z.array(z.string()).describe('Other ids jobs may use for this model.'),
    displayName: z.string(),
    description: z.string(),
    maxReferenceImages: z.number().int().describe('Most reference images one call accepts (0 = text-to-image only).'),
    seedSupport: z.enum(['exact', 'best-effort', 'none']).describe('exact: a seed reproduces the same bytes; none: regenerate means re-roll.'),
    sizes: z.array(z.string()).describe('Size classes offered (512, 1K, 2K, 4K).'),
    aspectRatios: z.array(z.string()).describe('Aspect ratios offered (W:H).'),
    supportsMask: z.boolean(),
    supportsLora: z.boolean(),
    supportsNegativePrompt: z.boolean(),
    supportsStrength: z.boolean(),
    maxImagesPerCall: z.number().int(),
    lanes: z.array(z.string()).describe('online, and batch where the provider has a discounted asynchronous lane.'),
    pricePerImageUsd: z.record(z.string(), z.record(z.string(), z.number())).describe('USD per image by size, then lane.'),
    typicalLatencyMs: z.number().int(),
  })
  .meta({ id: 'ProviderModel' });

export const providerInfoSchema = z
  .object({
    id: z.string().describe('local, gemini, sdwebui, comfyui or runpod.'),
    displayName: z.string(),
    configured: z.boolean().describe('Whether this server can run it (never shows the key).'),
    setup: z.string().describe('How to configure it: the environment variables to set. Empty when configured.'),
    pausedReason: z.string().nullable().describe('Why the provider (or one of its models) is paused now.'),
    limits: z.object({ online: limitsSchema, batch: limitsSchema.nullable() }).nullable().describe('Configured limits; null when not configured.'),
    models: z.array(providerModelSchema),
    learnedRates: z.array(learnedRateSchema).describe('What the engine learned for each model whose rate is `auto`; empty before its first call.'),
    loras: z.array(z.string()).describe('LoRA names a job may use (`settings.loras[].name`), as the server listed them; empty when the provider has none. `?refresh=1` asks the servers again.'),
  })
  .meta({ id: 'Provider' });

export const providersQuerySchema = z.strictObject({
  refresh: z.enum(['1', '0', 'true', 'false'], { error: 'must be 1, 0, true or false' }).optional().describe('1: re-read the model and LoRA lists from self-hosted servers first.'),
});

export const providerListSchema = z.object({ items: z.array(providerInfoSchema) }).meta({ id: 'ProviderList' });
