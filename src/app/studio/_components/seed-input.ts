/**
 * The composer's seed field: empty means random; otherwise a whole number from 0 to 2^32−1, the
 * seed of the first image (each next image takes +1). Parsed here rather than by `Number()`, which
 * would accept "1e3", " 12 " or "0x10" and silently round 1.5.
 */

/** Largest seed: the provider contract's seeds are unsigned 32-bit integers. */
export const maxSeedValue = 4_294_967_295;
const seedCount = maxSeedValue + 1;

export type SeedInput = { kind: 'random' } | { kind: 'fixed'; seed: number } | { kind: 'invalid'; reason: string };

export function parseSeedInput(text: string): SeedInput {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'random' };
  if (/^-\d+(\.\d+)?$/.test(trimmed)) return { kind: 'invalid', reason: `Seeds cannot be negative: use a whole number from 0 to ${maxSeedValue}, or leave it empty for random.` };
  if (/^\d*\.\d+$|^\d+\.\d*$/.test(trimmed)) return { kind: 'invalid', reason: `A seed is a whole number (no decimals): from 0 to ${maxSeedValue}.` };
  if (!/^\d+$/.test(trimmed)) return { kind: 'invalid', reason: `“${trimmed.slice(0, 20)}” is not a number: use a whole number from 0 to ${maxSeedValue}, or leave it empty for random.` };
  const seed = Number(trimmed);
  if (seed > maxSeedValue) return { kind: 'invalid', reason: `Too large: the largest seed is ${maxSeedValue} (2³² − 1).` };
  return { kind: 'fixed', seed };
}

/** The seed `offset` places after `first`, wrapping past the largest seed back to 0 (as the planner does). */
export function offsetSeedValue(first: number, offset: number): number {
  return (first + offset) % seedCount;
}
