/**
 * Task keys: the stable identity of one provider call (DESIGN §4). Two calls with the same key
 * would produce the same output, so a re-run skips keys that already completed. The key hashes
 * content (reference SHA-256s), never asset ids, so re-uploading the same bytes keeps the key.
 */
import { createHash } from 'node:crypto';
import type { AspectRatio, ImageSize } from './image-size.js';
import type { LoraSetting } from './job.js';

/** Bumped when the key's inputs change meaning, so old and new keys never collide by accident. */
const taskKeyVersion = 1;

/** The settings that change a call's output. Lane, priority and budget do not, so they are not here. */
export interface TaskKeySettings {
  size: ImageSize;
  aspectRatio: AspectRatio;
  negativePrompt?: string | undefined;
  strength?: number | undefined;
  loras?: readonly LoraSetting[] | undefined;
  providerOptions?: Readonly<Record<string, unknown>> | undefined;
}

export interface TaskKeyInput {
  provider: string;
  model: string;
  /** The prompt as sent (templates already applied). */
  prompt: string;
  /** Hex SHA-256 of each reference, in the order sent; order matters to providers. */
  referenceSha256s: readonly string[];
  /** Hex SHA-256 of the mask, if any. */
  maskSha256?: string | undefined;
  /** Seed of the first image; undefined when the model has no seeds. */
  seed?: number | undefined;
  /** Images the call produces. */
  imageCount: number;
  /** Only the settings actually sent (dropped ones excluded), so an ignored setting does not split keys. */
  settings: TaskKeySettings;
  /**
   * How many identical calls came before this one in the same plan (0 = first). Keeps duplicated
   * items distinct while leaving a non-duplicated call's key independent of its position.
   */
  occurrence?: number | undefined;
  /** Any value makes a fresh key for otherwise identical content: "regenerate". */
  salt?: string | undefined;
}

/** Hex SHA-256 of the canonical JSON of the key inputs; stable across runs, processes and key order. */
export function taskKey(input: TaskKeyInput): string {
  const material = {
    version: taskKeyVersion,
    provider: input.provider,
    model: input.model,
    prompt: input.prompt,
    referenceSha256s: input.referenceSha256s,
    maskSha256: input.maskSha256,
    seed: input.seed,
    imageCount: input.imageCount,
    settings: {
      size: input.settings.size,
      aspectRatio: input.settings.aspectRatio,
      negativePrompt: input.settings.negativePrompt,
      strength: input.settings.strength,
      // An empty LoRA list or option bag sends the same request as none at all.
      loras: input.settings.loras && input.settings.loras.length > 0 ? input.settings.loras : undefined,
      providerOptions: input.settings.providerOptions && Object.keys(input.settings.providerOptions).length > 0 ? input.settings.providerOptions : undefined,
    },
    occurrence: input.occurrence ? input.occurrence : undefined,
    salt: input.salt,
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/**
 * JSON with object keys sorted at every depth and undefined members left out, so equal values
 * always serialise to equal strings whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeysDeep(member);
  }
  return sorted;
}
