import { describe, expect, it } from 'vitest';
import { planVariation } from '../../src/core/variation-strength.js';

describe('variation strength', () => {
  it('uses the image at a denoising strength where the model takes one', () => {
    expect(planVariation('subtle', { supportsStrength: true, maxReferenceImages: 4 })).toMatchObject({ from: 'image', denoise: 0.35 });
    expect(planVariation('strong', { supportsStrength: true, maxReferenceImages: 4 })).toMatchObject({ from: 'image', denoise: 0.75 });
  });

  it('takes the nearest behaviour, and says so, on a model without a strength', () => {
    const subtle = planVariation('subtle', { supportsStrength: false, maxReferenceImages: 3 });
    expect(subtle).toMatchObject({ from: 'image', denoise: null });
    expect(subtle.note).toContain('no strength');
    expect(planVariation('strong', { supportsStrength: false, maxReferenceImages: 3 })).toMatchObject({ from: 'references', denoise: null });
    for (const strength of ['subtle', 'strong'] as const) {
      const textOnly = planVariation(strength, { supportsStrength: false, maxReferenceImages: 0 });
      expect(textOnly).toMatchObject({ from: 'references', denoise: null });
      expect(textOnly.note).toContain('no reference image');
    }
  });
});
