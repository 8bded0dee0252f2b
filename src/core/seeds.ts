/**
 * Seeds: the numbers that make a generation reproducible on models that honour them. Every seed in
 * imagefleet is an unsigned 32-bit integer, because that is the widest range every provider
 * accepts (Stable Diffusion UIs, ComfyUI and Gemini all take at least 0..2^32−1).
 */
import { z } from 'zod';
import { invalidInput } from './errors.js';

/** Largest seed: 2^32 − 1. */
export const maxSeed = 4294967295;

/** Number of distinct seeds; sequences wrap modulo this. */
const seedCount = maxSeed + 1;

/** The one message for any bad seed, so every surface says the same thing. */
export const seedRangeMessage = `must be an integer from 0 to ${maxSeed}`;

/** True when `value` is a usable seed (an integer in 0..maxSeed). */
export function isValidSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxSeed;
}

/**
 * Zod schema of a seed. Each check carries the range message so the error is the same whether the
 * value is a string, a fraction or out of range.
 */
export const seedSchema = z
  .number({ error: seedRangeMessage })
  .int({ error: seedRangeMessage })
  .min(0, { error: seedRangeMessage })
  .max(maxSeed, { error: seedRangeMessage });

/**
 * Returns `value` as a seed, or throws `invalid_input` whose one issue names `path` (e.g.
 * `items.0.prompts.1.seed`) and states the allowed range.
 */
export function validateSeed(value: unknown, path: string): number {
  if (isValidSeed(value)) return value;
  throw invalidInput([{ path, message: `${seedRangeMessage} (got ${describeValue(value)})` }], 'Invalid seed');
}

/** The seed `offset` places after `first`, wrapping past maxSeed back to 0. */
export function offsetSeed(first: number, offset: number): number {
  return (first + (offset % seedCount)) % seedCount;
}

/** `count` consecutive seeds starting at `first`: first, first+1, …, wrapping modulo 2^32. */
export function seedSequence(first: number, count: number): number[] {
  const seeds = new Array<number>(count);
  for (let index = 0; index < count; index += 1) seeds[index] = offsetSeed(first, index);
  return seeds;
}

/**
 * A uniformly drawn seed from an injected source of [0, 1) numbers (Math.random in production, a
 * fixed sequence in tests), so planning stays pure and repeatable under test.
 */
export function randomSeed(random: () => number): number {
  const fraction = random();
  // A misbehaving source (1, NaN, negatives) must still yield a valid seed rather than poison a plan.
  if (!(fraction >= 0 && fraction < 1)) return fraction >= 1 ? maxSeed : 0;
  return Math.floor(fraction * seedCount);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return typeof value;
}
