/**
 * The remote handle of a ComfyUI task, saved by the engine before it waits: the prompt ids queued
 * for its images and each image's seed, e.g. `comfyui:prompts?ids=3f2a…,9b1c…&seeds=500,501`, and
 * the sampler settings the workflow was filled with (for the images' A1111 text). With it a
 * restarted worker reads the same prompts' results instead of queueing them again.
 */
import type { SamplingSettings } from '../../core/provenance.js';
import { maxSeed } from '../../core/seeds.js';
import { providerError } from '../contract.js';

export interface ComfyuiHandle {
  /** Prompt ids, one per image, in image order. */
  promptIds: string[];
  /** Seed of each image, in the same order. */
  seeds: number[];
  /** Sampler settings the workflow ran with; undefined when it has no steps, cfg and sampler placeholders (or an older handle). */
  sampling?: SamplingSettings | undefined;
}

const prefix = 'comfyui:prompts?';

export function encodeComfyuiHandle(handle: ComfyuiHandle): string {
  const parameters = new URLSearchParams({ ids: handle.promptIds.join(','), seeds: handle.seeds.join(',') });
  const { sampling } = handle;
  if (sampling) {
    parameters.set('steps', String(sampling.steps));
    parameters.set('sampler', sampling.sampler);
    parameters.set('cfg', String(sampling.cfgScale));
    if (sampling.scheduler !== undefined) parameters.set('scheduler', sampling.scheduler);
    if (sampling.denoisingStrength !== undefined) parameters.set('denoise', String(sampling.denoisingStrength));
  }
  return `${prefix}${parameters.toString()}`;
}

/** Reads a handle; a handle that is not one of ours is `invalid` (the retry queues afresh). */
export function decodeComfyuiHandle(text: string): ComfyuiHandle {
  if (!text.startsWith(prefix)) throw providerError('invalid', `"${text.slice(0, 80)}" is not a ComfyUI handle of imagefleet.`);
  const parameters = new URLSearchParams(text.slice(prefix.length));
  const promptIds = (parameters.get('ids') ?? '').split(',').filter((id) => id !== '');
  const seeds = (parameters.get('seeds') ?? '').split(',').filter((seed) => seed !== '').map(Number);
  if (promptIds.length === 0 || seeds.length !== promptIds.length || seeds.some((seed) => !Number.isInteger(seed) || seed < 0 || seed > maxSeed)) {
    throw providerError('invalid', `The ComfyUI handle "${text.slice(0, 200)}" is damaged (ids and seeds do not match).`);
  }
  return { promptIds, seeds, sampling: readSampling(parameters) };
}

function readSampling(parameters: URLSearchParams): SamplingSettings | undefined {
  const steps = Number(parameters.get('steps') ?? Number.NaN);
  const cfgScale = Number(parameters.get('cfg') ?? Number.NaN);
  const sampler = parameters.get('sampler');
  if (!Number.isFinite(steps) || !Number.isFinite(cfgScale) || !sampler) return undefined;
  const denoise = parameters.get('denoise');
  return { steps, sampler, cfgScale, scheduler: parameters.get('scheduler') ?? undefined, denoisingStrength: denoise === null ? undefined : Number(denoise) };
}
