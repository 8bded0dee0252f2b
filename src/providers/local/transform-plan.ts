/**
 * Chooses the image operations for one output of the local provider. Pure: the same random stream,
 * cues and strength always give the same plan, which is what makes seeds reproduce exact bytes.
 */
import type { PromptCues } from './prompt-cues.js';
import type { SeededRandom } from './seeded-random.js';

/** A 3×3 colour matrix applied to (red, green, blue), row by row. */
export type ColourMatrix = [[number, number, number], [number, number, number], [number, number, number]];

/** The operations for one image, in the order they are applied. */
export interface TransformPlan {
  /** Which reference to start from; undefined = render a procedural image (no references). */
  referenceIndex: number | undefined;
  /** Clockwise rotation in quarter turns, applied first. */
  rotationQuarterTurns: 0 | 1 | 2 | 3;
  /** Zoom into the cover-fit window: 1 = the whole window, 2 = half its width and height. */
  zoom: number;
  /** Where the zoomed window sits inside the cover-fit window horizontally: 0 = left edge, 1 = right edge. */
  windowPositionX: number;
  /** Where the zoomed window sits vertically: 0 = top edge, 1 = bottom edge. */
  windowPositionY: number;
  /** Mirror top to bottom. */
  flipVertical: boolean;
  /** Mirror left to right. */
  flopHorizontal: boolean;
  /** Gaussian blur sigma in pixels of a 1024-pixel-edge image (scaled to the output); 0 = none. */
  blurSigmaAt1024: number;
  /** Unsharp amount of a 3×3 sharpening kernel, 0..1; 0 = none. */
  sharpenAmount: number;
  /** Colour mix for greyscale and sepia; undefined = unchanged. */
  colourMatrix: ColourMatrix | undefined;
  /** Hue rotation in degrees. */
  hueRotationDegrees: number;
  /** Saturation multiplier (1 = unchanged). */
  saturation: number;
  /** Brightness multiplier (1 = unchanged). */
  brightness: number;
  /** Contrast multiplier around mid grey (1 = unchanged). */
  contrast: number;
  /** Per-channel multipliers (red, green, blue) that tint the image; all 1 = no tint. */
  tintMultipliers: [number, number, number];
  /** Per-channel shifts in 8-bit levels that go with the tint; all 0 = no tint. */
  tintOffsets: [number, number, number];
  /** Film grain amplitude in 8-bit levels; 0 = none. */
  grainAmplitude: number;
  /** How much the corners darken, 0..1; 0 = none. */
  vignetteAmount: number;
}

export interface TransformPlanInput {
  random: SeededRandom;
  cues: PromptCues;
  /** How far the image departs from its reference, 0..1; 0 gives the cover-fit reference unchanged. */
  strength: number;
  /** Number of references available (0 = procedural). */
  referenceCount: number;
  /**
   * Keep the reference's geometry (no rotation or mirroring). Used with a mask, so the changed area
   * still lines up with what it replaces.
   */
  preserveGeometry: boolean;
}

/** Largest zoom a plan can ask for; the renderer keeps enough reference pixels for it. */
export const maximumZoom = 1.9;

const greyscaleMatrix: ColourMatrix = [
  [0.2126, 0.7152, 0.0722],
  [0.2126, 0.7152, 0.0722],
  [0.2126, 0.7152, 0.0722],
];

const sepiaMatrix: ColourMatrix = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];

const identityMatrix: ColourMatrix = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/**
 * Draws a plan from the seeded stream, shaped by the prompt's cues and scaled by strength (at
 * strength 0 every operation is the identity).
 */
export function planTransform(input: TransformPlanInput): TransformPlan {
  const { random, cues, referenceCount, preserveGeometry } = input;
  const strength = clamp(input.strength, 0, 1);
  // Every value is drawn up front in a fixed order, used or not, so each choice depends only on its
  // own draw and never on which other branches ran.
  const draw = {
    reference: random.nextFloat(),
    rotationChance: random.nextFloat(),
    rotationTurns: random.nextInteger(1, 3),
    zoom: random.nextFloat(),
    windowX: random.nextFloat(),
    windowY: random.nextFloat(),
    flipChance: random.nextFloat(),
    flopChance: random.nextFloat(),
    sharpnessChoice: random.nextFloat(),
    sharpnessAmount: random.nextFloat(),
    hueMagnitude: random.nextFloat(),
    hueSign: random.nextFloat(),
    saturation: random.nextFloat(),
    brightness: random.nextFloat(),
    contrast: random.nextFloat(),
    tintHue: random.nextFloat(),
    tintAmount: random.nextFloat(),
    grainChance: random.nextFloat(),
    grainAmount: random.nextFloat(),
    vignetteChance: random.nextFloat(),
    vignetteAmount: random.nextFloat(),
  };

  const referenceIndex = referenceCount > 0 ? Math.min(referenceCount - 1, Math.floor(draw.reference * referenceCount)) : undefined;

  // Rotations and upside-down images look unnatural, so they stay rare unless the prompt asks.
  let rotationQuarterTurns: TransformPlan['rotationQuarterTurns'] = 0;
  if (!preserveGeometry && strength > 0) {
    if (cues.rotate) rotationQuarterTurns = draw.rotationChance < 0.5 ? 1 : 3;
    else if (draw.rotationChance < 0.12 * strength) rotationQuarterTurns = draw.rotationTurns as 1 | 2 | 3;
  }
  const flipVertical = !preserveGeometry && strength > 0 && (cues.upsideDown || draw.flipChance < 0.08 * strength);
  const flopHorizontal = !preserveGeometry && strength > 0 && (cues.mirror || draw.flopChance < Math.min(0.5, strength));

  // A floor on the zoom leaves the window room to move, so the position draws always change the crop.
  const zoomReach = cues.zoom ? lerp(0.55, 0.9, draw.zoom) : lerp(0.1, 0.6, draw.zoom);
  const zoom = Math.min(maximumZoom, 1 + zoomReach * strength);

  let blurSigmaAt1024 = 0;
  let sharpenAmount = 0;
  if (cues.blur) blurSigmaAt1024 = lerp(4, 9, draw.sharpnessAmount) * strength;
  else if (cues.sharpen) sharpenAmount = lerp(0.6, 1, draw.sharpnessAmount) * strength;
  else if (draw.sharpnessChoice < 0.2 * strength) blurSigmaAt1024 = lerp(0.8, 3, draw.sharpnessAmount) * strength;
  else if (draw.sharpnessChoice > 1 - 0.2 * strength) sharpenAmount = lerp(0.3, 0.7, draw.sharpnessAmount) * strength;

  // A prompt that names a colour mood wants that mood, not a random trip around the colour wheel.
  const colourDirected = cues.warm || cues.cold || cues.vintage || cues.monochrome || cues.colourHuesDegrees.length > 0;
  const hueReachDegrees = colourDirected ? 12 : lerp(30, 120, draw.hueMagnitude);
  const hueRotationDegrees = (draw.hueSign < 0.5 ? -1 : 1) * hueReachDegrees * strength;

  let saturation = 1 + lerp(-0.55, 0.55, draw.saturation) * strength;
  if (cues.vivid) saturation *= 1 + 0.7 * strength;
  if (cues.muted) saturation *= 1 - 0.55 * strength;
  if (cues.vintage) saturation *= 1 - 0.3 * strength;

  let brightness = 1 + lerp(-0.18, 0.18, draw.brightness) * strength;
  if (cues.bright) brightness *= 1 + 0.4 * strength;
  if (cues.dark) brightness *= 1 - 0.45 * strength;

  let contrast = 1 + lerp(-0.25, 0.3, draw.contrast) * strength;
  if (cues.vintage) contrast *= 1 - 0.15 * strength;
  if (cues.dark || cues.sharpen) contrast *= 1 + 0.15 * strength;

  const tint = chooseTint(cues, draw.tintHue, draw.tintAmount, strength);

  const greyscaleAmount = cues.monochrome ? Math.min(1, 2 * strength) : 0;
  const sepiaAmount = cues.vintage && !cues.monochrome ? Math.min(1, 1.4 * strength) : 0;
  const colourMatrix = greyscaleAmount > 0 || sepiaAmount > 0 ? mixMatrices(greyscaleAmount, sepiaAmount) : undefined;

  let grainAmplitude = draw.grainChance < 0.35 ? lerp(4, 14, draw.grainAmount) * strength : 0;
  if (cues.grain || cues.vintage) grainAmplitude = Math.max(grainAmplitude, lerp(14, 26, draw.grainAmount) * strength);

  let vignetteAmount = draw.vignetteChance < 0.4 ? lerp(0.15, 0.5, draw.vignetteAmount) * strength : 0;
  if (cues.vignette || cues.vintage) vignetteAmount = Math.max(vignetteAmount, lerp(0.5, 0.8, draw.vignetteAmount) * strength);

  return {
    referenceIndex,
    rotationQuarterTurns,
    zoom,
    // Centred at strength 0, so that strength 0 is the plain cover-fit reference.
    windowPositionX: 0.5 + (draw.windowX - 0.5) * Math.min(1, 2 * strength),
    windowPositionY: 0.5 + (draw.windowY - 0.5) * Math.min(1, 2 * strength),
    flipVertical,
    flopHorizontal,
    blurSigmaAt1024,
    sharpenAmount,
    colourMatrix,
    hueRotationDegrees,
    saturation: Math.max(0, saturation),
    brightness: Math.max(0.05, brightness),
    contrast: Math.max(0.1, contrast),
    tintMultipliers: tint.multipliers,
    tintOffsets: tint.offsets,
    grainAmplitude,
    vignetteAmount: clamp(vignetteAmount, 0, 0.95),
  };
}

interface Tint {
  multipliers: [number, number, number];
  offsets: [number, number, number];
}

const noTint: Tint = { multipliers: [1, 1, 1], offsets: [0, 0, 0] };

/**
 * A tint both scales and shifts the channels: scaling alone barely moves dark colours, shifting
 * alone flattens bright ones.
 */
function chooseTint(cues: PromptCues, hueDraw: number, amountDraw: number, strength: number): Tint {
  if (cues.warm && !cues.cold) {
    return { multipliers: [1 + 0.15 * strength, 1 + 0.03 * strength, 1 - 0.2 * strength], offsets: [30 * strength, 8 * strength, -25 * strength] };
  }
  if (cues.cold && !cues.warm) {
    return { multipliers: [1 - 0.15 * strength, 1 + 0.02 * strength, 1 + 0.2 * strength], offsets: [-25 * strength, 5 * strength, 35 * strength] };
  }
  const namedHue = cues.colourHuesDegrees[0];
  if (namedHue !== undefined) return tintTowardHue(namedHue, lerp(0.6, 0.9, amountDraw) * strength);
  // A random tint would undo "black and white"; only words like warm/cold or a colour tone it.
  if (cues.monochrome) return noTint;
  return tintTowardHue(hueDraw * 360, lerp(0, 0.3, amountDraw) * strength);
}

/** Pushes the image toward a hue while keeping its overall lightness about the same. */
function tintTowardHue(hueDegrees: number, amount: number): Tint {
  const [red, green, blue] = hueToRgb(hueDegrees);
  const mean = (red + green + blue) / 3;
  const shift = (channel: number): number => channel - mean;
  return {
    multipliers: [1 + amount * shift(red), 1 + amount * shift(green), 1 + amount * shift(blue)],
    offsets: [60 * amount * shift(red), 60 * amount * shift(green), 60 * amount * shift(blue)],
  };
}

/** A fully saturated colour of the given hue, each channel 0..1. */
export function hueToRgb(hueDegrees: number): [number, number, number] {
  const hue = (((hueDegrees % 360) + 360) % 360) / 60;
  const rising = hue - Math.floor(hue);
  switch (Math.floor(hue)) {
    case 0:
      return [1, rising, 0];
    case 1:
      return [1 - rising, 1, 0];
    case 2:
      return [0, 1, rising];
    case 3:
      return [0, 1 - rising, 1];
    case 4:
      return [rising, 0, 1];
    default:
      return [1, 0, 1 - rising];
  }
}

function mixMatrices(greyscaleAmount: number, sepiaAmount: number): ColourMatrix {
  const identityAmount = Math.max(0, 1 - greyscaleAmount - sepiaAmount);
  const row = (index: 0 | 1 | 2): [number, number, number] => {
    const mixed = [0, 1, 2].map(
      (column) =>
        identityAmount * identityMatrix[index][column as 0 | 1 | 2] +
        greyscaleAmount * greyscaleMatrix[index][column as 0 | 1 | 2] +
        sepiaAmount * sepiaMatrix[index][column as 0 | 1 | 2],
    );
    return [mixed[0] ?? 0, mixed[1] ?? 0, mixed[2] ?? 0];
  };
  return [row(0), row(1), row(2)];
}

function lerp(from: number, to: number, fraction: number): number {
  return from + (to - from) * fraction;
}

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}
