/**
 * What every output PNG says about how it was made (DESIGN §7), as PNG text entries: `imagefleet`
 * holds the full record as JSON for imagefleet and scripts; `parameters` repeats the essentials in
 * the AUTOMATIC1111 layout, which common tools (A1111/Forge "PNG Info", ComfyUI loaders, image
 * browsers) already read.
 */
import type { AspectRatio, ImageSize } from './image-size.js';

/** Everything recorded about one output image. */
export interface ProvenanceInput {
  prompt: string;
  negativePrompt?: string | undefined;
  /** Provider registry id, e.g. `gemini`. */
  provider: string;
  /** Model id as sent to the provider. */
  model: string;
  /** The provider's request id, when it gave one. */
  requestId?: string | undefined;
  /** The seed that reproduces this image, when the provider honours seeds. */
  seed?: number | undefined;
  /** Hex SHA-256 of each reference image, in the order they were sent. */
  referenceSha256s: string[];
  jobId: string;
  taskId: string;
  /** imagefleet's version, e.g. `0.1.0`. */
  appVersion: string;
  size: ImageSize;
  aspectRatio: AspectRatio;
  /** Output width in pixels. */
  width: number;
  /** Output height in pixels. */
  height: number;
}

/** Version of the JSON record's shape, so readers can tell old files apart. */
export const provenanceFormatVersion = 1;

/**
 * Builds the PNG text entries `imagefleet` (JSON of every input field plus a format version) and
 * `parameters` (A1111 style: prompt line(s), `Negative prompt: …` when there is one, then one line of
 * `Key: value` pairs). Values containing a comma, quote or line break are JSON-quoted, as A1111 does,
 * so its parser splits them correctly.
 */
export function buildProvenance(input: ProvenanceInput): Record<string, string> {
  const record = {
    format: provenanceFormatVersion,
    prompt: input.prompt,
    negativePrompt: input.negativePrompt,
    provider: input.provider,
    model: input.model,
    requestId: input.requestId,
    seed: input.seed,
    referenceSha256s: input.referenceSha256s,
    jobId: input.jobId,
    taskId: input.taskId,
    appVersion: input.appVersion,
    size: input.size,
    aspectRatio: input.aspectRatio,
    width: input.width,
    height: input.height,
  };

  const settings: [string, string | number | undefined][] = [
    ['Seed', input.seed],
    ['Size', `${input.width}x${input.height}`],
    ['Model', input.model],
    ['Provider', input.provider],
    ['Size class', input.size],
    ['Aspect ratio', input.aspectRatio],
    ['Request id', input.requestId],
    ['Reference hashes', input.referenceSha256s.length > 0 ? input.referenceSha256s.join(', ') : undefined],
    ['Job id', input.jobId],
    ['Task id', input.taskId],
    ['Version', `imagefleet ${input.appVersion}`],
  ];
  const settingsLine = settings
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}: ${settingValue(value)}`)
    .join(', ');

  const lines = [input.prompt];
  const negativePrompt = input.negativePrompt?.trim();
  if (negativePrompt) lines.push(`Negative prompt: ${negativePrompt}`);
  lines.push(settingsLine);

  return { imagefleet: JSON.stringify(record), parameters: lines.join('\n') };
}

function settingValue(value: string | number): string {
  const text = String(value);
  return /[,"\n\r]/.test(text) ? JSON.stringify(text) : text;
}
