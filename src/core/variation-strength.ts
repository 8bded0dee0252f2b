/**
 * "Vary (subtle)" and "Vary (strong)": how far a set of variations may move from the image, and
 * what that means for a model. With an img2img strength (Stable Diffusion, ComfyUI, the local
 * provider) the variations start from the image itself at a denoising strength: subtle 0.35 keeps
 * composition and colours, strong 0.75 keeps little more than the subject. A model that takes
 * reference images but no strength (Gemini) gets the nearest behaviour: subtle edits the image
 * itself, strong draws new seeds from the original references and prompt. A text-only model can
 * only draw new seeds; both choices do that. The note says which, so no one is told a setting
 * was honoured when it was not.
 */
export const variationStrengths = ['subtle', 'strong'] as const;
export type VariationStrength = (typeof variationStrengths)[number];

/** The img2img denoising strength each choice asks of a model that takes one. */
export const variationDenoise: Readonly<Record<VariationStrength, number>> = { subtle: 0.35, strong: 0.75 };

export interface VariationPlan {
  strength: VariationStrength;
  /** `image`: the image is the one reference; `references`: the source's own references and prompt. */
  from: 'image' | 'references';
  /** The denoising strength sent, or null when the model takes none. */
  denoise: number | null;
  /** What was done, in a sentence for a person. */
  note: string;
}

export function planVariation(strength: VariationStrength, model: { supportsStrength: boolean; maxReferenceImages: number }): VariationPlan {
  if (model.maxReferenceImages === 0) {
    return { strength, from: 'references', denoise: null, note: 'This model takes no reference image, so subtle and strong are alike: new seeds from the same prompt.' };
  }
  if (model.supportsStrength) {
    const denoise = variationDenoise[strength];
    return { strength, from: 'image', denoise, note: `Made from the image at img2img strength ${denoise}.` };
  }
  return strength === 'subtle'
    ? { strength, from: 'image', denoise: null, note: 'This model has no strength setting: a subtle variation edits the image itself.' }
    : { strength, from: 'references', denoise: null, note: 'This model has no strength setting: a strong variation draws new seeds from the original references and prompt.' };
}
