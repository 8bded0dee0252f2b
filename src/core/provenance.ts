/**
 * What every output PNG says about how it was made (DESIGN §7), as PNG text entries: `imagefleet`
 * holds the full record as JSON for imagefleet and scripts; `parameters` is the one writer of the
 * AUTOMATIC1111 text, laid out as A1111 writes it so its readers (A1111/Forge "PNG Info",
 * sd-prompt-reader, sd-parsers, image browsers) find prompt, seed, size and model
 * (docs/decisions/0024-a1111-parameters-text.md).
 */
import type { AspectRatio, ImageSize } from './image-size.js';

/** Sampler settings a Stable Diffusion call ran with, as its server named them. */
export interface SamplingSettings {
  /** Denoising steps. */
  steps: number;
  /** Sampler name, e.g. `Euler a` (A1111) or `euler` (ComfyUI). */
  sampler: string;
  /** Scheduler (A1111's `Schedule type`), when one was set. */
  scheduler?: string | undefined;
  /** Classifier-free guidance scale. */
  cfgScale: number;
  /** img2img denoising strength, when a reference was repainted. */
  denoisingStrength?: number | undefined;
}

/**
 * What the settings line says for a provider without samplers (Gemini, the local provider): one
 * step, the provider as the sampler, guidance 1 (none). sd-parsers needs `Sampler` and two more of
 * its sampler keys to recognise the text at all; these values claim nothing the call did not do.
 */
const noSampling = (provider: string): SamplingSettings => ({ steps: 1, sampler: provider, cfgScale: 1 });

/** Everything recorded about one output image. */
export interface ProvenanceInput {
  prompt: string;
  /** Only when the model honoured it (a negative prompt a model ignores is not recorded). */
  negativePrompt?: string | undefined;
  /** The call's sampler settings (Stable Diffusion providers); undefined = the provider has none. */
  sampling?: SamplingSettings | undefined;
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
 * `parameters`, as A1111 writes it: the prompt line(s), `Negative prompt: …` when there is one, then
 * ONE settings line starting `Steps: ` (readers split the text there). Values containing a comma,
 * colon, quote or line break are JSON-quoted, as A1111 does, so its parser splits them correctly.
 */
export function buildProvenance(input: ProvenanceInput): Record<string, string> {
  const record = {
    format: provenanceFormatVersion,
    prompt: input.prompt,
    negativePrompt: input.negativePrompt,
    sampling: input.sampling,
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

  const sampling = input.sampling ?? noSampling(input.provider);
  const settings: [string, string | number | undefined][] = [
    ['Steps', sampling.steps],
    ['Sampler', sampling.sampler],
    ['Schedule type', sampling.scheduler],
    ['CFG scale', sampling.cfgScale],
    ['Seed', input.seed],
    ['Size', `${input.width}x${input.height}`],
    ['Model', input.model],
    ['Denoising strength', sampling.denoisingStrength],
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

  // A prompt line that starts like a settings line would end the prompt early in every reader.
  const lines = [input.prompt.replace(/\nSteps:/g, '\n Steps:')];
  const negativePrompt = input.negativePrompt?.trim();
  if (negativePrompt) lines.push(`Negative prompt: ${negativePrompt}`);
  lines.push(settingsLine);

  return { imagefleet: JSON.stringify(record), parameters: lines.join('\n') };
}

function settingValue(value: string | number): string {
  const text = String(value);
  return /[,:"\n\r]/.test(text) ? JSON.stringify(text) : text;
}
