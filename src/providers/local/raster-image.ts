/** Decoded pixels passed between the local provider's stages: 8-bit sRGB, 3 channels, row-major, no padding. */
export interface RasterImage {
  pixels: Buffer;
  width: number;
  height: number;
}
