import type { ProviderLimitPolicy } from '../ports/task-queue.js';

/** The jobs' `provider:model` a policy serves (a lane policy names it apart; else its own key). */
export function jobProviderKeyOf(policy: ProviderLimitPolicy): string {
  return policy.jobProviderKey ?? policy.providerKey;
}

/**
 * Maps a job's (`provider:model`, lane) to the key its limits live under: the lane's own policy
 * when the process has one (batch), else the job's provider key.
 */
export function limitKeyResolver(policies: readonly ProviderLimitPolicy[]): (jobProviderKey: string, lane: string) => string {
  const laneKeys = new Map<string, string>();
  for (const policy of policies) {
    if (policy.lane !== undefined && policy.lane !== 'online') laneKeys.set(`${jobProviderKeyOf(policy)}\n${policy.lane}`, policy.providerKey);
  }
  return (jobProviderKey, lane) => laneKeys.get(`${jobProviderKey}\n${lane}`) ?? jobProviderKey;
}
