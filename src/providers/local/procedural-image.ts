/**
 * Text-to-image for the offline provider: with no references there is nothing to transform, so it
 * draws an abstract composition (gradients and soft shapes) whose palette follows the prompt's
 * colour words and mood. Drawn as SVG and rasterised by sharp, so it is exact and fast at any size.
 */
import sharp from 'sharp';
import type { PixelDimensions } from '../../core/image-size.js';
import type { PromptCues } from './prompt-cues.js';
import type { RasterImage } from './raster-image.js';
import type { SeededRandom } from './seeded-random.js';

/** Renders the procedural base image at the output size, as 3-channel sRGB pixels. */
export async function renderProceduralImage(random: SeededRandom, cues: PromptCues, output: PixelDimensions): Promise<RasterImage> {
  const svg = proceduralSvg(random, cues, output);
  const { data, info } = await sharp(Buffer.from(svg, 'utf8'))
    .flatten({ background: '#000000' })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== output.width || info.height !== output.height || info.channels !== 3) {
    throw new Error(`procedural render gave ${info.width}x${info.height}x${info.channels}, expected ${output.width}x${output.height}x3`);
  }
  return { pixels: data, width: info.width, height: info.height };
}

/** Builds the SVG document; exported for tests of the composition without rasterising. */
export function proceduralSvg(random: SeededRandom, cues: PromptCues, output: PixelDimensions): string {
  const { width, height } = output;
  const baseHue = cues.colourHuesDegrees[0] ?? random.nextInRange(0, 360);
  const secondHue = cues.colourHuesDegrees[1] ?? baseHue + random.pick([30, 150, 180, 210, -30]);
  const lightnessShift = (cues.bright ? 18 : 0) - (cues.dark ? 22 : 0);
  const saturationPercent = cues.monochrome ? 0 : cues.muted ? 30 : cues.vivid ? 90 : random.nextInRange(50, 80);
  const colour = (hue: number, lightnessPercent: number): string =>
    `hsl(${format(((hue % 360) + 360) % 360)},${format(saturationPercent)}%,${format(clamp(lightnessPercent + lightnessShift, 4, 96))}%)`;

  const angleDegrees = random.nextInRange(0, 360);
  const radians = (angleDegrees * Math.PI) / 180;
  const gradientStart = { x: 0.5 - Math.cos(radians) / 2, y: 0.5 - Math.sin(radians) / 2 };
  const gradientEnd = { x: 0.5 + Math.cos(radians) / 2, y: 0.5 + Math.sin(radians) / 2 };

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs>',
    `<linearGradient id="background" x1="${format(gradientStart.x)}" y1="${format(gradientStart.y)}" x2="${format(gradientEnd.x)}" y2="${format(gradientEnd.y)}">`,
    `<stop offset="0" stop-color="${colour(baseHue, random.nextInRange(15, 35))}"/>`,
    `<stop offset="1" stop-color="${colour(secondHue, random.nextInRange(55, 80))}"/>`,
    '</linearGradient>',
    `<radialGradient id="glow" cx="${format(random.nextInRange(0.2, 0.8))}" cy="${format(random.nextInRange(0.2, 0.8))}" r="0.6">`,
    `<stop offset="0" stop-color="${colour(baseHue + 40, 85)}" stop-opacity="0.7"/>`,
    `<stop offset="1" stop-color="${colour(baseHue + 40, 85)}" stop-opacity="0"/>`,
    '</radialGradient>',
    '</defs>',
    `<rect width="${width}" height="${height}" fill="url(#background)"/>`,
    `<rect width="${width}" height="${height}" fill="url(#glow)"/>`,
  ];

  const shortSide = Math.min(width, height);
  const shapeCount = random.nextInteger(6, 14);
  for (let index = 0; index < shapeCount; index += 1) {
    const hue = random.pick([baseHue, secondHue, baseHue + 20, secondHue - 20]);
    const fill = colour(hue, random.nextInRange(30, 85));
    const opacity = format(random.nextInRange(0.25, 0.85));
    const centreX = format(random.nextInRange(0, width));
    const centreY = format(random.nextInRange(0, height));
    const sizePixels = random.nextInRange(0.06, 0.35) * shortSide;
    const rotationDegrees = format(random.nextInRange(0, 180));
    const shape = random.nextInteger(0, 2);
    if (shape === 0) {
      parts.push(`<circle cx="${centreX}" cy="${centreY}" r="${format(sizePixels)}" fill="${fill}" fill-opacity="${opacity}"/>`);
    } else if (shape === 1) {
      parts.push(
        `<ellipse cx="${centreX}" cy="${centreY}" rx="${format(sizePixels * 1.6)}" ry="${format(sizePixels * 0.7)}" transform="rotate(${rotationDegrees} ${centreX} ${centreY})" fill="${fill}" fill-opacity="${opacity}"/>`,
      );
    } else {
      const side = format(sizePixels * 1.4);
      const corner = format(sizePixels * 0.2);
      parts.push(
        `<rect x="${format(Number(centreX) - sizePixels * 0.7)}" y="${format(Number(centreY) - sizePixels * 0.7)}" width="${side}" height="${side}" rx="${corner}" transform="rotate(${rotationDegrees} ${centreX} ${centreY})" fill="${fill}" fill-opacity="${opacity}"/>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Fixed two-decimal numbers, so the document (and thus the pixels) never depends on float printing. */
function format(value: number): string {
  return value.toFixed(2);
}

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}
