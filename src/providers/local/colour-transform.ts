/**
 * Folds a plan's colour operations (greyscale/sepia, hue rotation, saturation, brightness,
 * contrast, tint) into one affine colour transform: `output = matrix × rgb + offsets`. One matrix
 * costs sharp a single cheap pass, where `modulate` (a round trip through LCh) cost several times
 * more. The hue and saturation matrices are the ones CSS filters use (Filter Effects spec), on
 * gamma-encoded sRGB like CSS.
 */
import type { ColourMatrix, TransformPlan } from './transform-plan.js';

export interface ColourTransform {
  matrix: ColourMatrix;
  /** Added to each channel after the matrix, in 8-bit levels. */
  offsets: [number, number, number];
}

/** Mid grey that contrast pivots around, in 8-bit levels. */
const contrastPivot = 128;

/** The plan's colour operations as one transform, or undefined when they change nothing. */
export function colourTransform(plan: TransformPlan): ColourTransform | undefined {
  let matrix = plan.colourMatrix ?? identity();
  matrix = multiply(hueRotation(plan.hueRotationDegrees), matrix);
  matrix = multiply(saturation(plan.saturation), matrix);
  const [tintRed, tintGreen, tintBlue] = plan.tintMultipliers;
  const gain = plan.brightness * plan.contrast;
  matrix = multiply(diagonal(tintRed * gain, tintGreen * gain, tintBlue * gain), matrix);
  const pivotOffset = contrastPivot * (1 - plan.contrast);
  const [shiftRed, shiftGreen, shiftBlue] = plan.tintOffsets;
  const offsets: [number, number, number] = [tintRed * pivotOffset + shiftRed, tintGreen * pivotOffset + shiftGreen, tintBlue * pivotOffset + shiftBlue];
  if (isIdentity(matrix) && offsets.every((offset) => offset === 0)) return undefined;
  return { matrix, offsets };
}

function hueRotation(degrees: number): ColourMatrix {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return [
    [0.213 + cos * 0.787 - sin * 0.213, 0.715 - cos * 0.715 - sin * 0.715, 0.072 - cos * 0.072 + sin * 0.928],
    [0.213 - cos * 0.213 + sin * 0.143, 0.715 + cos * 0.285 + sin * 0.14, 0.072 - cos * 0.072 - sin * 0.283],
    [0.213 - cos * 0.213 - sin * 0.787, 0.715 - cos * 0.715 + sin * 0.715, 0.072 + cos * 0.928 + sin * 0.072],
  ];
}

function saturation(amount: number): ColourMatrix {
  return [
    [0.213 + 0.787 * amount, 0.715 - 0.715 * amount, 0.072 - 0.072 * amount],
    [0.213 - 0.213 * amount, 0.715 + 0.285 * amount, 0.072 - 0.072 * amount],
    [0.213 - 0.213 * amount, 0.715 - 0.715 * amount, 0.072 + 0.928 * amount],
  ];
}

function diagonal(red: number, green: number, blue: number): ColourMatrix {
  return [
    [red, 0, 0],
    [0, green, 0],
    [0, 0, blue],
  ];
}

function identity(): ColourMatrix {
  return diagonal(1, 1, 1);
}

function multiply(left: ColourMatrix, right: ColourMatrix): ColourMatrix {
  const cell = (row: 0 | 1 | 2, column: 0 | 1 | 2): number =>
    left[row][0] * right[0][column] + left[row][1] * right[1][column] + left[row][2] * right[2][column];
  return [
    [cell(0, 0), cell(0, 1), cell(0, 2)],
    [cell(1, 0), cell(1, 1), cell(1, 2)],
    [cell(2, 0), cell(2, 1), cell(2, 2)],
  ];
}

function isIdentity(matrix: ColourMatrix): boolean {
  // Tolerance: the hue matrix at 0° is the identity only up to rounding of its published constants.
  return matrix.every((row, rowIndex) => row.every((value, columnIndex) => Math.abs(value - (rowIndex === columnIndex ? 1 : 0)) < 1e-9));
}
