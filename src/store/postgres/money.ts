/**
 * Money on Postgres is integer micro-USD (`bigint`): sums of thousands of task costs stay exact,
 * where SQLite's REAL USD drifts in the last digits. The domain and the port speak USD numbers; the
 * conversion happens here, at the adapter edge, and nowhere else.
 */

/** Micro-USD per USD. */
export const microUsdPerUsd = 1_000_000;

/** USD → micro-USD, rounded to the nearest micro-dollar (finer than any provider prices). */
export function toMicroUsd(usd: number): number {
  return Math.round(usd * microUsdPerUsd);
}

/** Micro-USD → USD. */
export function fromMicroUsd(microUsd: number): number {
  return microUsd / microUsdPerUsd;
}

/** `toMicroUsd` for an optional amount: null stays null. */
export function toMicroUsdOrNull(usd: number | null | undefined): number | null {
  return usd === undefined || usd === null ? null : toMicroUsd(usd);
}
