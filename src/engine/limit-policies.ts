import type { ImageProvider } from '../providers/contract.js';
import type { ProviderLimitPolicy, ProviderLimits } from './ports.js';

/** One policy per (provider, model) this process can run: the claimer's view of the limits. */
export function buildLimitPolicies(providers: readonly ImageProvider[], limitsFor: (providerId: string) => ProviderLimits): ProviderLimitPolicy[] {
  return providers.flatMap((provider) => {
    const limits = limitsFor(provider.id);
    const credentialFingerprint = provider.credentialFingerprint();
    return provider.models().map((model) => ({
      providerKey: providerKeyOf(provider.id, model.modelId),
      providerId: provider.id,
      requestsPerMinute: limits.requestsPerMinute,
      maxConcurrency: Math.max(1, limits.maxConcurrency),
      cooldownMs: limits.cooldownMs,
      credentialFingerprint,
    }));
  });
}

/** The unit of rate limits and concurrency: `provider:model`. */
export function providerKeyOf(providerId: string, modelId: string): string {
  return `${providerId}:${modelId}`;
}
