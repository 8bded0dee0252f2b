import type { LimitState } from './limit-state.js';

/** Why a pause lifted by itself (the text of the `provider.resumed` event's `reason`). */
export type PauseLiftReason = 'pause period ended' | 'credentials changed';

/** A pause the policy lifts: the adapter clears it and appends `provider.resumed`. */
export interface PauseLift {
  scopeKey: string;
  reason: PauseLiftReason;
}

/**
 * Whether a scope still blocks requests: not paused → open; a timed pause whose time is up, or a
 * credential pause whose credentials changed → open with a lift to record; else blocked.
 */
export function decidePause(
  state: LimitState | undefined,
  credentialFingerprint: string | undefined,
  nowMs: number,
): { blocked: true } | { blocked: false; lift?: PauseLift | undefined } {
  if (!state || state.pausedReason === undefined) return { blocked: false };
  const timeUp = state.pausedUntilMs !== undefined && state.pausedUntilMs <= nowMs;
  const credentialsChanged = state.pausedUntilMs === undefined && state.pausedCredentialFingerprint !== credentialFingerprint;
  if (!timeUp && !credentialsChanged) return { blocked: true };
  return { blocked: false, lift: { scopeKey: state.scopeKey, reason: timeUp ? 'pause period ended' : 'credentials changed' } };
}
