import type { Lane } from '../core/job.js';
import { limitKey, limitKeyText, providerKeyText } from '../core/limit-key.js';
import type { ImageProvider } from '../providers/contract.js';
import type { ProviderLimitPolicy, ProviderLimits } from './ports.js';

/** True when a user-set rate is paced evenly too (issue 18): no burst of the whole minute at its top. Online lanes only. */
export function isEvenlyPaced(limits: ProviderLimits, lane: Lane | undefined): boolean {
  return (lane ?? 'online') === 'online' && limits.learnedRate !== true && limits.requestsPerMinute > 0;
}

/** A provider's limits by id; `lane` asks for the limits of a model's `batch` lane (default online). */
export type LimitsLookup = (providerId: string, lane?: Lane) => ProviderLimits;

/**
 * One policy per (provider, model) this process can run: the claimer's view of the limits. Models
 * offering the `batch` lane get a second policy under their own key for batch-lane jobs.
 */
export function buildLimitPolicies(providers: readonly ImageProvider[], limitsFor: LimitsLookup): ProviderLimitPolicy[] {
  return providers.flatMap((provider) => {
    const limits = limitsFor(provider.id);
    const credentialFingerprint = provider.credentialFingerprint();
    return provider.models().flatMap((model) => {
      const providerKey = providerKeyText(provider.id, model.modelId);
      const online: ProviderLimitPolicy = {
        providerKey,
        providerId: provider.id,
        requestsPerMinute: limits.requestsPerMinute,
        maxConcurrency: Math.max(1, limits.maxConcurrency),
        cooldownMs: limits.cooldownMs,
        credentialFingerprint,
        learnedRate: limits.learnedRate === true,
        evenPacing: isEvenlyPaced(limits, 'online'),
        ...(limits.learnedRate === true && limits.inputTokenEstimate !== undefined ? { inputTokenEstimate: limits.inputTokenEstimate } : {}),
      };
      if (!model.lanes.includes('batch')) return [online];
      const batchLimits = limitsFor(provider.id, 'batch');
      const batch: ProviderLimitPolicy = {
        providerKey: limitKeyText(limitKey(provider.id, model.modelId, 'batch')),
        providerId: provider.id,
        requestsPerMinute: batchLimits.requestsPerMinute,
        maxConcurrency: Math.max(1, batchLimits.maxConcurrency),
        cooldownMs: batchLimits.cooldownMs,
        credentialFingerprint,
        lane: 'batch',
        jobProviderKey: providerKey,
      };
      return [online, batch];
    });
  });
}
