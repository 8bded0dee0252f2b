import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { aspectRatios, pixelDimensions, type AspectRatio, type ImageSize } from '../../src/core/image-size.js';
import type { GenerateRequest, GenerateResult, ProviderImageInput } from '../../src/providers/contract.js';
import { colourTransform } from '../../src/providers/local/colour-transform.js';
import { createLocalProvider } from '../../src/providers/local/local-provider.js';
import { parsePromptCues } from '../../src/providers/local/prompt-cues.js';
import { createSeededRandom } from '../../src/providers/local/seeded-random.js';
import { planTransform } from '../../src/providers/local/transform-plan.js';

const modelId = 'local-transform';

/** A reference with distinct coloured regions, so crops, flips and colour changes all move pixels. */
async function makeReference(width = 320, height = 240, background = '#3060a0'): Promise<ProviderImageInput> {
  const shapes = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<circle cx="${width * 0.35}" cy="${height * 0.4}" r="${height * 0.25}" fill="#e0a030"/>` +
      `<rect x="${width * 0.6}" y="${height * 0.5}" width="${width * 0.25}" height="${height * 0.3}" fill="#20a050"/>` +
      `<rect x="0" y="${height * 0.85}" width="${width}" height="${height * 0.15}" fill="#f4f4f4"/>` +
      `</svg>`,
  );
  const bytes = await sharp({ create: { width, height, channels: 3, background } }).composite([{ input: shapes }]).png().toBuffer();
  return imageInput(bytes);
}

function imageInput(bytes: Buffer | Uint8Array, mediaType = 'image/png'): ProviderImageInput {
  return { bytes: new Uint8Array(bytes), mediaType, sha256: sha256(bytes) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function request(overrides: Partial<GenerateRequest>): GenerateRequest {
  return {
    modelId,
    prompt: 'a product photo',
    references: [],
    n: 1,
    size: '512',
    aspectRatio: '1:1',
    seed: 1,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function rawPixels(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

async function meanAbsoluteDifference(first: Uint8Array, second: Uint8Array): Promise<number> {
  const [a, b] = await Promise.all([rawPixels(first), rawPixels(second)]);
  expect(a.data.length).toBe(b.data.length);
  let total = 0;
  for (let index = 0; index < a.data.length; index += 1) total += Math.abs((a.data[index] ?? 0) - (b.data[index] ?? 0));
  return total / a.data.length;
}

async function rejection(promise: Promise<unknown>): Promise<ImagefleetError> {
  const thrown: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isImagefleetError(thrown)) throw new Error(`expected an ImagefleetError, got ${String(thrown)}`);
  return thrown;
}

function onlyImage(result: GenerateResult): Uint8Array {
  expect(result.images).toHaveLength(1);
  return result.images[0]?.bytes ?? new Uint8Array();
}

describe('local provider', () => {
  it('describes itself as an offline stand-in, not an AI model, with the promised capabilities', () => {
    const provider = createLocalProvider({ simulatedLatencyMs: 250 });
    expect(provider.id).toBe('local');
    expect(provider.credentialFingerprint()).toBeUndefined();
    const models = provider.models();
    expect(models).toHaveLength(1);
    const model = models[0];
    expect(model?.modelId).toBe(modelId);
    expect(model?.description).toMatch(/offline stand-in/i);
    expect(model?.description).toMatch(/not an AI model/i);
    expect(model?.displayName).toMatch(/not AI/i);
    expect(model?.seedSupport).toBe('exact');
    expect(model?.sizes).toEqual(['512', '1K', '2K', '4K']);
    expect(model?.aspectRatios).toEqual([...aspectRatios]);
    expect(model?.maxReferenceImages).toBe(8);
    expect(model?.maxImagesPerCall).toBe(4);
    expect(model?.supportsMask).toBe(true);
    expect(model?.supportsStrength).toBe(true);
    expect(model?.supportsNegativePrompt).toBe(false);
    expect(model?.supportsLora).toBe(false);
    expect(model?.lanes).toEqual(['online']);
    expect(model?.pricePerImageUsd['1K']?.online).toBe(0);
    expect(model?.typicalLatencyMs).toBeGreaterThan(250);
  });

  it('gives identical bytes for identical inputs, across provider instances', async () => {
    const reference = await makeReference();
    const second = await makeReference(200, 300, '#803040');
    const input = { prompt: 'warm vintage product shot', references: [reference, second], n: 2, seed: 12345 };
    const first = await createLocalProvider({}).generate(request(input));
    const again = await createLocalProvider({}).generate(request(input));
    expect(first.images.map((image) => sha256(image.bytes))).toEqual(again.images.map((image) => sha256(image.bytes)));
    expect(first.images.map((image) => image.mediaType)).toEqual(['image/png', 'image/png']);
    // The two images of one call are themselves different images.
    expect(sha256(first.images[0]?.bytes ?? new Uint8Array())).not.toBe(sha256(first.images[1]?.bytes ?? new Uint8Array()));
    expect(first.requestId).toMatch(/^local-[0-9a-f]{16}$/);
    expect(first.costUsd).toBe(0);
  });

  it('changes the bytes when the prompt, strength or reference changes', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const base = sha256(onlyImage(await provider.generate(request({ references: [reference] }))));
    const otherPrompt = sha256(onlyImage(await provider.generate(request({ references: [reference], prompt: 'a product photo, dark' }))));
    const otherStrength = sha256(onlyImage(await provider.generate(request({ references: [reference], strength: 0.9 }))));
    const otherReference = sha256(onlyImage(await provider.generate(request({ references: [await makeReference(320, 240, '#305030')] }))));
    expect(new Set([base, otherPrompt, otherStrength, otherReference]).size).toBe(4);
  });

  it('makes visibly different images for different seeds', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const images = await Promise.all(
      [1, 2, 3, 4].map(async (seed) => onlyImage(await provider.generate(request({ references: [reference], seed })))),
    );
    for (let first = 0; first < images.length; first += 1) {
      for (let second = first + 1; second < images.length; second += 1) {
        // 255 would be "every channel inverted"; 12 is far above compression or rounding noise.
        expect(await meanAbsoluteDifference(images[first] ?? new Uint8Array(), images[second] ?? new Uint8Array())).toBeGreaterThan(12);
      }
    }
  });

  it('outputs exactly pixelDimensions(size, aspect ratio) for each size class and several ratios', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    // 4K is left out only because a 4096² render is slow on shared CI machines; it uses the same code path.
    const cases: [ImageSize, AspectRatio][] = [
      ['512', '1:1'],
      ['512', '16:9'],
      ['512', '9:16'],
      ['512', '21:9'],
      ['512', '1:8'],
      ['1K', '1:1'],
      ['1K', '4:5'],
      ['1K', '3:2'],
      ['2K', '1:1'],
    ];
    for (const [size, aspectRatio] of cases) {
      const result = await provider.generate(request({ references: [reference], size, aspectRatio }));
      const expected = pixelDimensions(size, aspectRatio);
      const image = result.images[0];
      const metadata = await sharp(image?.bytes).metadata();
      expect({ size, aspectRatio, width: metadata.width, height: metadata.height, format: metadata.format }).toEqual({
        size,
        aspectRatio,
        ...expected,
        format: 'png',
      });
      expect({ width: image?.width, height: image?.height }).toEqual(expected);
    }
  });

  it('gives image i the seed seed+i (wrapping at 2^32) and reproduces it alone with that seed', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const firstSeed = 4_294_967_294;
    const batch = await provider.generate(request({ references: [reference], n: 4, seed: firstSeed }));
    expect(batch.images.map((image) => image.seed)).toEqual([4_294_967_294, 4_294_967_295, 0, 1]);
    for (const index of [1, 2]) {
      const image = batch.images[index];
      const alone = await provider.generate(request({ references: [reference], n: 1, seed: image?.seed }));
      expect(sha256(onlyImage(alone))).toBe(sha256(image?.bytes ?? new Uint8Array()));
    }
  });

  it('chooses and reports a seed when none is given, and that seed reproduces the image', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const result = await provider.generate(request({ references: [reference], seed: undefined }));
    const seed = result.images[0]?.seed;
    expect(Number.isInteger(seed)).toBe(true);
    expect(seed).toBeGreaterThanOrEqual(0);
    expect(seed).toBeLessThan(2 ** 32);
    const again = await provider.generate(request({ references: [reference], seed }));
    expect(sha256(onlyImage(again))).toBe(sha256(onlyImage(result)));
  });

  it('keeps the cover-fitted first reference exactly where the mask is black and changes only the white area', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference(320, 240);
    const output = pixelDimensions('512', '1:1');
    // Mask at a quarter of the reference's size (any size works): left half black, right half white.
    const mask = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#000000' } })
      .composite([{ input: { create: { width: 40, height: 60, channels: 3, background: '#ffffff' } }, left: 40, top: 0 }])
      .png()
      .toBuffer();
    const result = await provider.generate(request({ references: [reference], mask: imageInput(mask), prompt: 'cold neon look', seed: 9 }));
    const generated = await rawPixels(onlyImage(result));
    const { data: expected } = await sharp(reference.bytes).resize(output.width, output.height, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(generated.channels).toBe(3);

    // 320x240 cover-fitted to 512x512 scales by 512/240 and crops the centre, so the reference's
    // middle column (x = 160) lands on output x = 256. Stay clear of the blended edge.
    let blackAreaMismatches = 0;
    let whiteAreaDifference = 0;
    let whiteAreaSamples = 0;
    for (let y = 0; y < output.height; y += 1) {
      for (let x = 0; x < output.width; x += 1) {
        const offset = (y * output.width + x) * 3;
        for (let channel = 0; channel < 3; channel += 1) {
          const difference = Math.abs((generated.data[offset + channel] ?? 0) - (expected[offset + channel] ?? 0));
          if (x < 240 && difference !== 0) blackAreaMismatches += 1;
          if (x > 272) {
            whiteAreaDifference += difference;
            whiteAreaSamples += 1;
          }
        }
      }
    }
    expect(blackAreaMismatches).toBe(0);
    expect(whiteAreaDifference / whiteAreaSamples).toBeGreaterThan(12);
  });

  it('rejects promptly with canceled when aborted during the simulated latency, after reporting progress', async () => {
    const provider = createLocalProvider({ simulatedLatencyMs: 10_000 });
    const controller = new AbortController();
    const progress: number[] = [];
    const started = performance.now();
    const pending = provider.generate(
      request({ references: [await makeReference()], signal: controller.signal, onProgress: (fraction) => progress.push(fraction) }),
    );
    setTimeout(() => controller.abort(new Error('job canceled')), 50);
    const error = await rejection(pending);
    expect(error.code).toBe('canceled');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(progress.length).toBeGreaterThanOrEqual(1);
  });

  it('rejects with canceled at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(createLocalProvider({}).generate(request({ signal: controller.signal })));
    expect(error.code).toBe('canceled');
  });

  it('reports rising progress up to 1 when latency is simulated', async () => {
    const provider = createLocalProvider({ simulatedLatencyMs: 80 });
    const progress: number[] = [];
    const started = performance.now();
    await provider.generate(request({ references: [await makeReference()], n: 2, onProgress: (fraction) => progress.push(fraction) }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('fails with provider_invalid naming the reference that is not an image', async () => {
    const provider = createLocalProvider({});
    const garbage = imageInput(Buffer.from('this is not an image at all'), 'image/png');
    const error = await rejection(provider.generate(request({ references: [await makeReference(), garbage] })));
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toMatch(/reference 2 of 2/);
  });

  it('fails with provider_invalid for a truncated image whose header still parses', async () => {
    const provider = createLocalProvider({});
    const whole = (await makeReference()).bytes;
    const truncated = imageInput(whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await rejection(provider.generate(request({ references: [truncated] })));
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toMatch(/reference 1 of 1/);
  });

  it('refuses settings outside the model with provider_invalid', async () => {
    const provider = createLocalProvider({});
    for (const overrides of [{ n: 5 }, { n: 0 }, { strength: 1.5 }, { seed: -1 }, { seed: 2 ** 32 }, { seed: 1.5 }, { modelId: 'other' }]) {
      const error = await rejection(provider.generate(request(overrides)));
      expect({ overrides, code: error.code }).toEqual({ overrides, code: 'provider_invalid' });
    }
  });

  it('drops a negative prompt and a mask without references with a warning instead of failing', async () => {
    const provider = createLocalProvider({});
    const mask = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const result = await provider.generate(request({ negativePrompt: 'blurry', mask: imageInput(mask) }));
    expect(result.images).toHaveLength(1);
    expect(result.warnings.join('\n')).toMatch(/negative prompt ignored/);
    expect(result.warnings.join('\n')).toMatch(/mask ignored/);
  });

  it('renders a procedural image without references: right size, not flat, deterministic, seed-dependent', async () => {
    const provider = createLocalProvider({});
    const input = { references: [], prompt: 'sunset over the ocean', aspectRatio: '4:3' as const, size: '1K' as const };
    const first = onlyImage(await provider.generate(request({ ...input, seed: 5 })));
    const again = onlyImage(await provider.generate(request({ ...input, seed: 5 })));
    const other = onlyImage(await provider.generate(request({ ...input, seed: 6 })));
    expect(sha256(first)).toBe(sha256(again));
    const metadata = await sharp(first).metadata();
    expect({ width: metadata.width, height: metadata.height }).toEqual(pixelDimensions('1K', '4:3'));
    const stats = await sharp(first).stats();
    expect(Math.max(...stats.channels.map((channel) => channel.stdev))).toBeGreaterThan(10);
    expect(await meanAbsoluteDifference(first, other)).toBeGreaterThan(12);
  });

  it('follows "black and white" in the prompt: every pixel is grey', async () => {
    const provider = createLocalProvider({});
    for (const seed of [1, 2, 3]) {
      const { data } = await rawPixels(onlyImage(await provider.generate(request({ references: [await makeReference()], prompt: 'black and white portrait', seed }))));
      let largestChannelSpread = 0;
      for (let offset = 0; offset < data.length; offset += 3) {
        const red = data[offset] ?? 0;
        const green = data[offset + 1] ?? 0;
        const blue = data[offset + 2] ?? 0;
        largestChannelSpread = Math.max(largestChannelSpread, Math.max(red, green, blue) - Math.min(red, green, blue));
      }
      expect(largestChannelSpread).toBeLessThanOrEqual(2);
    }
  });

  it('follows "warm" and "cold" in the prompt: warm images are redder than cold ones for the same seed', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const redMinusBlue = async (prompt: string, seed: number): Promise<number> => {
      const stats = await sharp(onlyImage(await provider.generate(request({ references: [reference], prompt, seed })))).stats();
      return (stats.channels[0]?.mean ?? 0) - (stats.channels[2]?.mean ?? 0);
    };
    for (const seed of [1, 2, 3]) {
      expect((await redMinusBlue('warm light', seed)) - (await redMinusBlue('cold light', seed))).toBeGreaterThan(30);
    }
  });

  it('returns the cover-fitted reference (up to resampling) at strength 0', async () => {
    const provider = createLocalProvider({});
    const reference = await makeReference();
    const output = pixelDimensions('512', '3:2');
    const result = onlyImage(await provider.generate(request({ references: [reference], strength: 0, aspectRatio: '3:2' })));
    const coverFitted = await sharp(reference.bytes).resize(output.width, output.height, { fit: 'cover' }).removeAlpha().png().toBuffer();
    expect(await meanAbsoluteDifference(result, coverFitted)).toBeLessThan(2);
    const varied = onlyImage(await provider.generate(request({ references: [reference], strength: 1, aspectRatio: '3:2' })));
    expect(await meanAbsoluteDifference(varied, coverFitted)).toBeGreaterThan(12);
  });
});

describe('local transform plan', () => {
  const neutral = parsePromptCues('a product photo');

  it('is the identity at strength 0, whatever the seed and prompt', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const plan = planTransform({ random: createSeededRandom([seed, 1, 2, 3]), cues: parsePromptCues('vintage mirror zoom blur'), strength: 0, referenceCount: 3, preserveGeometry: false });
      // Through JSON so that -0 (a sign-flipped zero from scaling by strength) compares equal to 0.
      expect(JSON.parse(JSON.stringify(plan))).toMatchObject({
        rotationQuarterTurns: 0,
        zoom: 1,
        windowPositionX: 0.5,
        windowPositionY: 0.5,
        flipVertical: false,
        flopHorizontal: false,
        blurSigmaAt1024: 0,
        sharpenAmount: 0,
        hueRotationDegrees: 0,
        saturation: 1,
        brightness: 1,
        contrast: 1,
        tintMultipliers: [1, 1, 1],
        tintOffsets: [0, 0, 0],
        grainAmplitude: 0,
        vignetteAmount: 0,
      });
      expect(colourTransform(plan)).toBeUndefined();
    }
  });

  it('never rotates or mirrors when geometry must be kept (mask), even when the prompt asks', () => {
    for (let seed = 0; seed < 200; seed += 1) {
      const plan = planTransform({ random: createSeededRandom([seed, 7, 7, 7]), cues: parsePromptCues('mirror rotated upside down'), strength: 1, referenceCount: 1, preserveGeometry: true });
      expect([plan.rotationQuarterTurns, plan.flipVertical, plan.flopHorizontal]).toEqual([0, false, false]);
    }
  });

  it('follows geometric prompt words and picks every reference over many seeds', () => {
    const picked = new Set<number | undefined>();
    for (let seed = 0; seed < 100; seed += 1) {
      const plan = planTransform({ random: createSeededRandom([seed, 3, 3, 3]), cues: parsePromptCues('mirror, close-up'), strength: 0.6, referenceCount: 3, preserveGeometry: false });
      expect(plan.flopHorizontal).toBe(true);
      expect(plan.zoom).toBeGreaterThan(1.3);
      picked.add(plan.referenceIndex);
    }
    expect([...picked].sort()).toEqual([0, 1, 2]);
    const procedural = planTransform({ random: createSeededRandom([1, 2, 3, 4]), cues: neutral, strength: 0.6, referenceCount: 0, preserveGeometry: false });
    expect(procedural.referenceIndex).toBeUndefined();
  });
});
