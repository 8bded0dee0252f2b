/**
 * What one provider call asks of the provider's per-minute quotas (issue 18): the images it makes
 * and an ESTIMATE of its input tokens. The learned pace (engine/learned-rate) spaces starts by these
 * units under an images-per-minute or input-tokens-per-minute quota, so a 4-image call takes 4× the
 * room of a 1-image call and a call with large references takes the room its tokens need.
 *
 * The token count is an estimate, not the provider's tokenizer: it only has to rank calls roughly
 * right, because the quota itself is learned from the provider's 429s in the same units.
 */

/** What the store knows of a task that decides its usage. */
export interface RequestUsageFacts {
  /** Images the call asks for (the task's batch size), at least 1. */
  imageCount: number;
  /** Length of the prompt text, characters. */
  promptCharacters: number;
  /** Pixel size of each reference image sent with the call (the mask counts as one), px. */
  referenceSizesPx: readonly ImageSizePx[];
}

/** An image's pixel size. */
export interface ImageSizePx {
  /** Width, px. */
  widthPx: number;
  /** Height, px. */
  heightPx: number;
}

/**
 * How a provider counts input tokens, as data so the provider module can state it (decision 0036)
 * without the engine knowing providers.
 */
export interface InputTokenEstimate {
  /** Characters of prompt per input token. Default 4 (the usual rule of thumb for English text). */
  charactersPerToken: number;
  /** Tokens per image tile. */
  tokensPerImageTile: number;
  /** Edge of a square tile, px; an image costs one tile per tile it spans (each axis rounded up). Undefined = every image is one tile. */
  imageTileSizePx: number | undefined;
  /** An image whose both sides are at most this many px costs one tile whatever the tiling, px. Undefined = none. */
  smallImageMaxPx: number | undefined;
}

/**
 * The estimate for a provider that states none: 4 characters a token and a flat 258 tokens per
 * reference image (Gemini's figure for a small image; the order of magnitude other multimodal APIs
 * charge), since an unknown provider's tiling cannot be guessed.
 */
export const genericInputTokenEstimate: InputTokenEstimate = { charactersPerToken: 4, tokensPerImageTile: 258, imageTileSizePx: undefined, smallImageMaxPx: undefined };

/** What one call asks for, in the learned pace's units (engine/learned-rate `RequestUsage`). */
export interface EstimatedRequestUsage {
  /** Images the call makes. */
  images: number;
  /** Estimated input tokens: prompt plus reference images. */
  inputTokens: number;
}

/** The usage of one call from the task's facts, under the provider's token estimate (default: generic). */
export function estimateRequestUsage(facts: RequestUsageFacts, estimate: InputTokenEstimate = genericInputTokenEstimate): EstimatedRequestUsage {
  const textTokens = Math.ceil(Math.max(0, facts.promptCharacters) / estimate.charactersPerToken);
  const imageTokens = facts.referenceSizesPx.reduce((sum, size) => sum + imageInputTokens(size, estimate), 0);
  return { images: Math.max(1, Math.floor(facts.imageCount)), inputTokens: textTokens + imageTokens };
}

/** Estimated input tokens of one image: one tile when small or untiled, else one per tile it spans. */
export function imageInputTokens(size: ImageSizePx, estimate: InputTokenEstimate): number {
  const tile = estimate.imageTileSizePx;
  const small = estimate.smallImageMaxPx !== undefined && size.widthPx <= estimate.smallImageMaxPx && size.heightPx <= estimate.smallImageMaxPx;
  if (tile === undefined || small) return estimate.tokensPerImageTile;
  const tiles = Math.max(1, Math.ceil(size.widthPx / tile)) * Math.max(1, Math.ceil(size.heightPx / tile));
  return tiles * estimate.tokensPerImageTile;
}
