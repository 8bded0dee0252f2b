/**
 * The configured providers with what people choose from: each one's models, the limits in force
 * per lane and whether it (or one of its models) is paused. Refreshes the LoRA catalogs first when
 * asked.
 */
import { learnedRateView, type LearnedRateView } from '../engine/learned-rate/learned-rate.js';
import { isShownAsLearned } from '../engine/limits/learned-pacing.js';
import type { ProviderLimits, ProviderStateView } from '../engine/ports.js';
import type { ImageProvider } from '../providers/contract.js';
import { loraCatalogOf } from '../providers/lora-catalog.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListProvidersInput {
  /** Re-read the providers' LoRA catalogs (servers listing their LoRAs) before answering. */
  refreshCatalogs?: boolean | undefined;
}

export interface ConfiguredProvider {
  /** The registered provider (its models and capabilities). */
  provider: ImageProvider;
  /** Why the provider or one of its models is paused now, if it is. */
  pausedReason: string | undefined;
  /** The limits in force per lane (a set limit is a ceiling; unset RPM is learned). */
  limits: {
    online: ProviderLimits;
    /** Undefined when none of its models has a batch lane. */
    batch: ProviderLimits | undefined;
  };
  /** LoRA names the provider offers, when it has a catalog. */
  loraNames: string[];
  /** What the engine learned of each of its limit keys whose rate is `auto` (issue 18), by limit key. */
  learnedRates: Array<{ limitKey: string; view: LearnedRateView }>;
}

export async function listProviders(input: ListProvidersInput, dependencies: Pick<OperationDependencies, 'store' | 'providers' | 'limitsFor' | 'clock'>): Promise<ConfiguredProvider[]> {
  if (input.refreshCatalogs === true) {
    const catalogs = dependencies.providers.list().flatMap((provider) => loraCatalogOf(provider) ?? []);
    await Promise.all(catalogs.map((catalog) => catalog.refreshCatalog()));
  }
  const states = await dependencies.store.queue.providerStates();
  // The pace is read at the fleet clock, as the engine reads it.
  const nowMs = dependencies.clock.now();
  return dependencies.providers.list().map((provider) => ({
    provider,
    pausedReason: pausedReasonOf(states, provider.id),
    limits: {
      online: dependencies.limitsFor(provider.id, 'online'),
      batch: provider.models().some((model) => model.lanes.includes('batch')) ? dependencies.limitsFor(provider.id, 'batch') : undefined,
    },
    loraNames: [...(loraCatalogOf(provider)?.loraNames() ?? [])],
    learnedRates: states.flatMap((state) =>
      state.learnedRateState !== undefined && isShownAsLearned(state.learnedRateState) && state.scopeKey.startsWith(`${provider.id}:`) ? [{ limitKey: state.scopeKey, view: learnedRateView(state.learnedRateState, nowMs) }] : [],
    ),
  }));
}

/** Why the provider, or a model of it (scope `provider:model…`), is paused, if one is. */
export function pausedReasonOf(states: readonly ProviderStateView[], providerId: string): string | undefined {
  return states.find((state) => (state.scopeKey === providerId || state.scopeKey.startsWith(`${providerId}:`)) && state.pausedReason !== undefined)?.pausedReason;
}
