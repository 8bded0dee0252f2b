/**
 * A recorded pause of a job's provider (or of its model) that will not lift soon — a bad key, a
 * daily quota — so a caller waiting for the job can stop and say why instead of waiting on.
 */
import { pauseScopesOf } from '../core/limit-key.js';
import type { ProviderStateView } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface FindLastingProviderPauseInput {
  /** The job's provider. */
  providerId: string;
  /** The job's model (its online and batch scopes count too). */
  modelId: string;
  /** Now, epoch ms. */
  nowMs: number;
  /** A pause lifting sooner than this (ms from now) is waited out, not reported. */
  lastingAfterMs: number;
}

export async function findLastingProviderPause(input: FindLastingProviderPauseInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<ProviderStateView | undefined> {
  const scopes = new Set(pauseScopesOf(input.providerId, input.modelId));
  const states = await dependencies.store.queue.providerStates();
  return states.find(
    (state) => scopes.has(state.scopeKey) && state.pausedReason !== undefined && (state.pausedUntilMs === undefined || state.pausedUntilMs - input.nowMs > input.lastingAfterMs),
  );
}
