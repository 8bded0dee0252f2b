import { createHash } from 'node:crypto';
import type { AspectRatio, ImageSize } from '../../core/image-size.js';

/** Everything that decides one output image of the local provider. */
export interface ImageDigestInput {
  /** Hex SHA-256 of each reference's bytes, in request order. */
  referenceSha256s: readonly string[];
  /** Hex SHA-256 of the mask's bytes, when a mask is used. */
  maskSha256: string | undefined;
  prompt: string;
  /** This image's own seed (the call's seed + the image's index, mod 2^32). */
  seed: number;
  size: ImageSize;
  aspectRatio: AspectRatio;
  /** Strength 0..1 after defaults are applied. */
  strength: number;
}

/**
 * Bumped whenever the rendering changes on purpose, so an old seed is not silently expected to
 * reproduce bytes made by a different algorithm.
 */
const algorithmVersion = 'imagefleet-local-transform-v1';

/**
 * SHA-256 over every input that decides one image. The call's image count is left out on purpose:
 * image i of an n-image call must equal the single image made with seed + i.
 */
export function imageDigest(input: ImageDigestInput): Uint8Array {
  // JSON with a fixed key order gives an unambiguous encoding (no "ab"+"c" vs "a"+"bc" collisions).
  const canonical = JSON.stringify([
    algorithmVersion,
    input.referenceSha256s,
    input.maskSha256 ?? null,
    input.prompt,
    input.seed,
    input.size,
    input.aspectRatio,
    input.strength,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest();
}

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
