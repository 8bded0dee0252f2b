import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { isValidSeed, maxSeed, offsetSeed, randomSeed, seedSchema, seedSequence, validateSeed } from '../../src/core/seeds.js';

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('maxSeed', () => {
  it('is 2^32 − 1', () => {
    expect(maxSeed).toBe(2 ** 32 - 1);
  });
});

describe('seedSequence', () => {
  it('counts up from the first seed', () => {
    expect(seedSequence(100, 4)).toEqual([100, 101, 102, 103]);
  });

  it('wraps past 4294967295 back to 0', () => {
    expect(seedSequence(maxSeed - 1, 4)).toEqual([4294967294, 4294967295, 0, 1]);
  });

  it('gives an empty list for a count of 0', () => {
    expect(seedSequence(7, 0)).toEqual([]);
  });
});

describe('offsetSeed', () => {
  it('adds the offset modulo 2^32, even for offsets past 2^32', () => {
    expect(offsetSeed(10, 5)).toBe(15);
    expect(offsetSeed(maxSeed, 1)).toBe(0);
    expect(offsetSeed(3, 2 ** 32 + 2)).toBe(5);
  });
});

describe('validateSeed', () => {
  it('returns seeds in range unchanged', () => {
    expect(validateSeed(0, 'seed')).toBe(0);
    expect(validateSeed(maxSeed, 'seed')).toBe(maxSeed);
  });

  it.each([-1, maxSeed + 1, 1.5, Number.NaN, '5', null])('refuses %s naming the field and the range', (value) => {
    const error = caught(() => validateSeed(value, 'items.0.prompts.1.seed'));
    expect(isImagefleetError(error)).toBe(true);
    if (!isImagefleetError(error)) return;
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('items.0.prompts.1.seed');
    expect(error.issues[0]?.message).toContain('0 to 4294967295');
  });

  it('agrees with isValidSeed', () => {
    expect(isValidSeed(12)).toBe(true);
    expect(isValidSeed(-0.5)).toBe(false);
  });
});

describe('seedSchema', () => {
  it('gives the range message for wrong types and out-of-range numbers alike', () => {
    for (const value of ['x', -1, 2 ** 32, 0.25]) {
      const result = seedSchema.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must be an integer from 0 to 4294967295');
    }
    expect(seedSchema.parse(maxSeed)).toBe(maxSeed);
  });
});

describe('randomSeed', () => {
  it('maps the injected [0, 1) source onto 0..2^32−1, drawing once', () => {
    let calls = 0;
    const source = (value: number) => () => {
      calls += 1;
      return value;
    };
    expect(randomSeed(source(0))).toBe(0);
    expect(randomSeed(source(0.5))).toBe(2 ** 31);
    expect(randomSeed(source(0.25))).toBe(2 ** 30);
    expect(randomSeed(source(1 - 2 ** -40))).toBe(maxSeed);
    expect(calls).toBe(4);
  });

  it('still yields a valid seed from a misbehaving source', () => {
    expect(randomSeed(() => 1)).toBe(maxSeed);
    expect(randomSeed(() => 7)).toBe(maxSeed);
    expect(randomSeed(() => -3)).toBe(0);
    expect(randomSeed(() => Number.NaN)).toBe(0);
  });
});
