import type { InputTokenEstimate } from '../../core/request-usage-estimate.js';

/**
 * How Gemini counts a call's input tokens, for pacing an input-tokens-per-minute quota learned with
 * `GEMINI_RPM=auto` (issue 18). An ESTIMATE from the Gemini docs' token rule (ai.google.dev, "Image
 * understanding" / token counting; /work/shared/reference/gemini-api.md): an image with both sides
 * ≤ 384 px is 258 tokens, a larger one is cut into 768×768 tiles of 258 tokens each; text is about
 * 4 characters per token. The provider's count differs somewhat (it scales images first), but the
 * quota is learned from its 429s in these same units, so only the proportions matter.
 */
export const geminiInputTokenEstimate: InputTokenEstimate = { charactersPerToken: 4, tokensPerImageTile: 258, imageTileSizePx: 768, smallImageMaxPx: 384 };
