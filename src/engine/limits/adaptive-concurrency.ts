/**
 * Adaptive concurrency (AIMD): a 429 halves the learned limit once per hold, and each success adds
 * about 1/limit, so a halved limit grows back over a few rounds. The configured cap is a ceiling,
 * never exceeded.
 */

/** Calls that may be in flight at once: the learned limit (floored), within 1 … the configured cap. */
export function effectiveConcurrency(maxConcurrency: number, learnedLimit: number | undefined): number {
  const adaptiveLimit = learnedLimit ?? maxConcurrency;
  return Math.max(1, Math.min(maxConcurrency, Math.floor(adaptiveLimit)));
}

/** What a 429 writes to the key's state. */
export interface RateLimitedState {
  /** The hold: no request under the key starts before this (epoch ms); never shortened. */
  nextRequestAtMs: number;
  /** The learned limit after the 429. */
  concurrencyLimit: number;
}

/**
 * A 429 under a key: hold it until `untilMs` and halve its concurrency — once per hold, because calls
 * already in flight when the limit hit will 429 too and must not halve it again.
 *
 * @param current the key's stored hold and learned limit (undefined when it has no state yet).
 * @param halveConcurrency false for an evenly paced fixed rate: the pace keeps the rate, and a halved
 *   concurrency would only cap it below the user's rate; the hold is still written.
 */
export function onRateLimited(
  current: { nextRequestAtMs: number; concurrencyLimit: number | undefined } | undefined,
  untilMs: number,
  maxConcurrency: number,
  nowMs: number,
  halveConcurrency = true,
): RateLimitedState {
  const holdActive = current !== undefined && current.nextRequestAtMs > nowMs;
  const currentLimit = current?.concurrencyLimit ?? maxConcurrency;
  if (!halveConcurrency) return { nextRequestAtMs: Math.max(current?.nextRequestAtMs ?? 0, untilMs), concurrencyLimit: currentLimit };
  return {
    nextRequestAtMs: Math.max(current?.nextRequestAtMs ?? 0, untilMs),
    concurrencyLimit: holdActive ? currentLimit : Math.max(1, Math.floor(currentLimit / 2)),
  };
}

/**
 * Additive increase after a success. `undefined` in → no change needed (the key runs at its cap);
 * the result is `undefined` once the limit is back at the cap (the state then follows the config).
 */
export function onSuccess(learnedLimit: number, maxConcurrency: number): number | undefined {
  const grown = learnedLimit + 1 / Math.max(1, learnedLimit);
  return grown >= maxConcurrency ? undefined : grown;
}
