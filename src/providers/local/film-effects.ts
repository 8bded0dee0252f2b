/**
 * Film grain and vignette, applied in place on raw pixels. Done in plain code rather than sharp so
 * the grain comes from the seeded generator (exactly reproducible) and both effects share one pass.
 */
import type { RasterImage } from './raster-image.js';
import type { SeededRandom } from './seeded-random.js';

export interface FilmEffects {
  /** Grain amplitude in 8-bit levels (peak of a triangular distribution); 0 = none. */
  grainAmplitude: number;
  /** How much the corners darken, 0..1; 0 = none. */
  vignetteAmount: number;
}

/** Where the darkening starts, as a fraction of the centre-to-corner distance. */
const vignetteInnerRadius = 0.45;

/** Adds grain and vignette to `image` in place. Does nothing (and draws nothing) when both are 0. */
export function applyFilmEffects(image: RasterImage, effects: FilmEffects, random: SeededRandom): void {
  const { grainAmplitude, vignetteAmount } = effects;
  const hasGrain = grainAmplitude > 0;
  const hasVignette = vignetteAmount > 0;
  if (!hasGrain && !hasVignette) return;
  const { width, height } = image;
  // A clamped view rounds and clamps on assignment, which keeps the hot loop branch-free.
  const pixels = new Uint8ClampedArray(image.pixels.buffer, image.pixels.byteOffset, width * height * 3);
  const centreX = (width - 1) / 2;
  const centreY = (height - 1) / 2;
  const horizontalTerms = new Float64Array(width);
  for (let x = 0; x < width; x += 1) horizontalTerms[x] = ((x - centreX) / Math.max(1, centreX)) ** 2 / 2;
  const rowGains = new Float64Array(width).fill(1);
  // One 32-bit word gives two pixels' grain (16 bits each): half the generator calls.
  const rowGrainWords = new Uint32Array(Math.ceil(width / 2));
  const grainScale = grainAmplitude / 255;

  let offset = 0;
  for (let y = 0; y < height; y += 1) {
    if (hasVignette) {
      const verticalTerm = ((y - centreY) / Math.max(1, centreY)) ** 2 / 2;
      for (let x = 0; x < width; x += 1) {
        // Normalised distance: 0 at the centre, 1 in the corners.
        const distance = Math.sqrt((horizontalTerms[x] ?? 0) + verticalTerm);
        const falloff = Math.max(0, (distance - vignetteInnerRadius) / (1 - vignetteInnerRadius));
        rowGains[x] = 1 - vignetteAmount * falloff * falloff;
      }
    }
    if (hasGrain) random.fillUint32(rowGrainWords);
    for (let x = 0; x < width; x += 1) {
      const gain = rowGains[x] ?? 1;
      let grain = 0;
      if (hasGrain) {
        const word = rowGrainWords[x >>> 1] ?? 0;
        const half = x & 1 ? word & 0xffff : word >>> 16;
        // The sum of the half's two bytes is triangular around 255: film-like, with few outliers.
        grain = ((half >>> 8) + (half & 0xff) - 255) * grainScale;
      }
      // Monochrome grain (same for all three channels), as silver-halide film looks.
      pixels[offset] = (pixels[offset] ?? 0) * gain + grain;
      pixels[offset + 1] = (pixels[offset + 1] ?? 0) * gain + grain;
      pixels[offset + 2] = (pixels[offset + 2] ?? 0) * gain + grain;
      offset += 3;
    }
  }
}
