/**
 * The stored state of one limit scope, as a plain domain object: a provider id (provider-wide
 * pause) or a limit key's text (`provider:model`, `provider:model@batch`). Adapters read it from
 * their rows; the limit rules in this folder decide on it.
 */
export interface LimitState {
  /** Provider id or limit key text. */
  scopeKey: string;
  /** Why the scope is paused; undefined = not paused. */
  pausedReason: string | undefined;
  /** When a timed pause lifts by itself, epoch ms; undefined = until the credentials change. */
  pausedUntilMs: number | undefined;
  /** Fingerprint of the credentials that were refused when the pause began. */
  pausedCredentialFingerprint: string | undefined;
  /** No request under this key may start before this time, epoch ms (rate-limit hold or cool-down); 0 = none. */
  nextRequestAtMs: number;
  /** Learned (AIMD) concurrency, may be fractional while growing back; undefined = the configured cap. */
  concurrencyLimit: number | undefined;
}
