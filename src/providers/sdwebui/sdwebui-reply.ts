/**
 * Reads a txt2img/img2img reply: `images` (base64) and `info`, a JSON string whose `all_seeds`
 * holds each image's real seed (the only place a random seed, `-1`, is revealed) and whose
 * `index_of_first_image` skips a grid image the web UI may put first.
 */
import { z } from 'zod';
import { maxSeed } from '../../core/seeds.js';
import { providerError, type GeneratedImageOutput } from '../contract.js';
import { decodeOutputImage } from '../stable-diffusion/decode-output.js';

const replySchema = z.looseObject({ images: z.array(z.string()).nullish(), info: z.string().nullish() });
const infoSchema = z.looseObject({
  all_seeds: z.array(z.number()).optional(),
  seed: z.number().optional(),
  index_of_first_image: z.number().int().min(0).optional(),
});

export interface SdwebuiReply {
  images: GeneratedImageOutput[];
  warnings: string[];
}

/**
 * The `expectedCount` images of the reply with their seeds. `requestedSeed` (-1 = random) is the
 * fallback when `info` lacks `all_seeds` (seed + i, as the web UI assigns them).
 */
export async function readSdwebuiReply(reply: unknown, expectedCount: number, requestedSeed: number): Promise<SdwebuiReply> {
  const parsed = replySchema.safeParse(reply);
  if (!parsed.success) throw providerError('transient', 'The Stable Diffusion web UI replied without an `images` list.');
  const warnings: string[] = [];
  const info = parseInfo(parsed.data.info);
  const all = parsed.data.images ?? [];
  const first = info?.index_of_first_image ?? Math.max(0, all.length - expectedCount);
  const encoded = all.slice(first, first + expectedCount);
  if (encoded.length < expectedCount) {
    throw providerError('transient', `The Stable Diffusion web UI returned ${encoded.length} image(s) where ${expectedCount} were asked for.`);
  }
  const firstSeed = info?.all_seeds?.[0] ?? info?.seed ?? requestedSeed;
  const images = await Promise.all(
    encoded.map((base64, index) => {
      const reported = info?.all_seeds?.[index] ?? (firstSeed >= 0 ? firstSeed + index : undefined);
      let seed: number | undefined = reported;
      if (reported !== undefined && (!Number.isInteger(reported) || reported < 0 || reported > maxSeed)) {
        // seed + i can pass 2^32 − 1 after a random draw; imagefleet seeds cannot hold it.
        warnings.push(`image ${index + 1}: the web UI used seed ${reported}, outside imagefleet's 0..4294967295, so it is not recorded`);
        seed = undefined;
      }
      if (reported === undefined) warnings.push(`image ${index + 1}: the web UI did not report its seed`);
      return decodeOutputImage(new Uint8Array(Buffer.from(base64, 'base64')), seed, `Image ${index + 1} of the web UI's reply`);
    }),
  );
  return { images, warnings };
}

function parseInfo(info: string | null | undefined): z.output<typeof infoSchema> | undefined {
  if (!info) return undefined;
  try {
    const result = infoSchema.safeParse(JSON.parse(info));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
