/**
 * `list_providers`: what a plan may name — each provider this server can use (those that need a
 * key appear once it is configured), whether it is paused and why, and each model's sizes, aspect
 * ratios, lanes, reference limit, seed support and price per image. Never a key.
 */
import { z } from 'zod';
import { openMcpFleet, type McpContext } from './mcp-context.js';
import { defineTool, type McpTool } from './tool-registry.js';

export function providerTools(context: McpContext): McpTool[] {
  const listProviders = defineTool({
    name: 'list_providers',
    title: 'List providers and models',
    description:
      'The providers and models a plan may use (provider and model arguments), with sizes, aspect ratios, lanes, max reference images, seed support and price per image by size and lane in USD; and whether a provider is paused (bad key, quota) and why. ' +
      'Providers that need a key (gemini, runpod) are listed only once it is configured on the server.',
    input: z.strictObject({}),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run() {
      const fleet = await openMcpFleet(context);
      try {
        const health = await fleet.health();
        const pausedById = new Map(health.providers.map((provider) => [provider.id, provider.pausedReason]));
        const providers = fleet.providers.list().map((provider) => ({
          id: provider.id,
          name: provider.displayName,
          paused_reason: pausedById.get(provider.id) ?? null,
          models: provider.models().map((model) => ({
            id: model.modelId,
            name: model.displayName,
            description: model.description,
            sizes: model.sizes,
            aspect_ratios: model.aspectRatios,
            lanes: model.lanes,
            max_reference_images: model.maxReferenceImages,
            max_images_per_call: model.maxImagesPerCall,
            seed_support: model.seedSupport,
            price_per_image_usd: model.pricePerImageUsd,
          })),
        }));
        return { structured: { providers } };
      } finally {
        await fleet.stop();
      }
    },
  });
  return [listProviders];
}
