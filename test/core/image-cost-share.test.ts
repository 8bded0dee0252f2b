import { describe, expect, it } from 'vitest';
import { imageCostShareUsd } from '../../src/core/image-cost-share.js';

describe('imageCostShareUsd', () => {
  it('splits a call’s cost evenly over the images it made', () => {
    expect(imageCostShareUsd(0.12, 4)).toBeCloseTo(0.03);
    expect(imageCostShareUsd(0.05, 1)).toBe(0.05);
    expect(imageCostShareUsd(0, 2)).toBe(0);
  });

  it('is unknown while the call’s cost is, or when it made no image', () => {
    expect(imageCostShareUsd(undefined, 4)).toBeUndefined();
    expect(imageCostShareUsd(0.12, 0)).toBeUndefined();
  });
});
