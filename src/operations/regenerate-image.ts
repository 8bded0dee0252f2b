/**
 * Regenerate and upscale one image (the studio's re-roll and upscale buttons, the API's
 * `POST /api/images/{id}/regenerate|upscale`): a new studio job of one image with the source
 * image's prompt, references, mask, model and settings. Regenerate reuses a given seed or draws a
 * new one; upscale keeps the image's seed and asks for a larger size. Either way the task gets a
 * fresh key (a salt), so it runs even when an identical call completed before (DESIGN §4).
 * Variations with a strength (subtle / strong) follow `planVariation`: from the image itself at an
 * img2img strength where the model takes one, else the nearest behaviour, said in the result's note.
 * The new job is a job spec submitted through `submitJob`, so it is validated and planned by the
 * one planner like any other; only the salt makes its key new.
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError, invalidInput, isImagefleetError } from '../core/errors.js';
import type { GeneratedImage } from '../core/image.js';
import { imageSizes, type ImageSize } from '../core/image-size.js';
import type { Job } from '../core/job.js';
import { maxJobNameLength, type JobSpecInput } from '../core/job-spec.js';
import { randomSeed } from '../core/seeds.js';
import { planVariation, type VariationPlan, type VariationStrength } from '../core/variation-strength.js';
import type { ImageRepository, JobRepository } from '../engine/ports.js';
import type { SubmitJobOptions, SubmitJobResult } from './submit-job.js';

export type RegenerateRequest =
  /**
   * A new draw; `seed` reuses that seed (e.g. the image's own, to reproduce it), otherwise a random
   * one. `count` > 1 makes a set of variations with consecutive seeds (default 1).
   */
  | { kind: 'regenerate'; seed?: number | undefined; count?: 1 | 2 | 4 | undefined; strength?: VariationStrength | undefined }
  /** The same image (same seed) at a larger size. */
  | { kind: 'upscale'; size: ImageSize };

export interface RegenerateDependencies {
  /** The store's images and jobs (the fleet's `store`). */
  store: { images: Pick<ImageRepository, 'getImage'>; jobs: Pick<JobRepository, 'getJob' | 'getTask'> };
  /** Submits a job spec: the `submitJob` operation (as the fleet wires it, waking the engine after commit). */
  submit: (spec: JobSpecInput, options: SubmitJobOptions) => Promise<SubmitJobResult>;
  /** Uniform [0, 1) source for a new seed. */
  random: () => number;
  /** What the job's model takes (for a strength); undefined when the provider or model is gone. */
  modelSupport: (provider: string, model: string) => { supportsStrength: boolean; maxReferenceImages: number } | undefined;
  /** Stores the image as a reference asset (deduped by content); its id. */
  imageAsReference: (image: GeneratedImage) => Promise<string>;
}

export interface RegenerateResult extends SubmitJobResult {
  source: { image: GeneratedImage; job: Job };
  /** The seed asked for; undefined when the model has no seeds. */
  seed: number | undefined;
  /** With a strength: how the variations were made. */
  variation: VariationPlan | undefined;
}

/**
 * Creates the new job. `not_found` when the image (or its task or job) does not exist;
 * `invalid_input` naming `seed` or `size` when the request cannot be served.
 */
export async function regenerateImage(imageId: string, request: RegenerateRequest, dependencies: RegenerateDependencies): Promise<RegenerateResult> {
  const image = await dependencies.store.images.getImage(imageId);
  if (!image) throw new ImagefleetError('not_found', `No image with id ${imageId}.`);
  const [job, task] = await Promise.all([dependencies.store.jobs.getJob(image.jobId), dependencies.store.jobs.getTask(image.taskId)]);
  if (!job || !task) throw new ImagefleetError('not_found', `The job that made image ${imageId} no longer exists.`);

  let size = job.settings.size;
  let seed: number | undefined;
  if (request.kind === 'upscale') {
    if (imageSizes.indexOf(request.size) <= imageSizes.indexOf(job.settings.size)) {
      const larger = imageSizes.filter((candidate) => imageSizes.indexOf(candidate) > imageSizes.indexOf(job.settings.size));
      throw invalidInput(
        [{ path: 'size', message: `must be larger than the size the image was made at (${job.settings.size})${larger.length > 0 ? `: ${larger.join(' or ')}` : '; nothing is larger'}` }],
        'Cannot upscale',
      );
    }
    size = request.size;
    seed = image.seed;
  } else {
    seed = request.seed ?? randomSeed(dependencies.random);
  }

  let variation: VariationPlan | undefined;
  let strength = job.settings.strength;
  let referenceAssetIds: readonly string[] = task.referenceAssetIds;
  let maskAssetId = task.maskAssetId;
  if (request.kind === 'regenerate' && request.strength !== undefined) {
    const support = dependencies.modelSupport(job.provider, job.model);
    if (!support) throw invalidInput([{ path: 'strength', message: `the model ${job.provider}/${job.model} is no longer available` }], 'Cannot vary');
    variation = planVariation(request.strength, support);
    if (variation.from === 'image') {
      referenceAssetIds = [await dependencies.imageAsReference(image)];
      // The mask was painted over the source's reference, not over this image.
      maskAssetId = undefined;
      strength = variation.denoise ?? undefined;
    }
  }

  const count = request.kind === 'regenerate' ? (request.count ?? 1) : 1;
  const verb = request.kind === 'upscale' ? `Upscale to ${request.size}` : variation ? `Vary (${variation.strength})` : count > 1 ? 'Variations' : 'Regenerate';
  const name = `${verb}: ${task.prompt.replace(/\s+/g, ' ').trim()}`;
  const spec: JobSpecInput = {
    mode: 'studio',
    groupId: job.groupId,
    name: name.length > maxJobNameLength ? `${name.slice(0, maxJobNameLength - 1)}…` : name,
    provider: job.provider,
    model: job.model,
    settings: {
      size,
      aspectRatio: job.settings.aspectRatio,
      ...(job.settings.negativePrompt !== undefined ? { negativePrompt: job.settings.negativePrompt } : {}),
      ...(strength !== undefined ? { strength } : {}),
      ...(job.settings.loras !== undefined ? { loras: job.settings.loras } : {}),
      ...(job.settings.providerOptions !== undefined ? { providerOptions: job.settings.providerOptions } : {}),
    },
    lane: job.lane,
    priority: 'interactive',
    execution: 'parallel',
    batchSize: count,
    items: [
      {
        referenceAssetIds: [...referenceAssetIds],
        ...(maskAssetId !== undefined ? { maskAssetId } : {}),
        prompts: [{ id: task.promptId, text: task.prompt, count, ...(seed !== undefined ? { seed } : {}) }],
      },
    ],
  };

  try {
    const result = await dependencies.submit(spec, { salt: randomUUID() });
    return { ...result, source: { image, job }, seed: result.plan.tasks[0]?.seed, variation };
  } catch (error) {
    // The spec is built here, so its paths mean nothing to the caller; name what they sent.
    if (isImagefleetError(error) && error.code === 'invalid_input' && error.issues.some((issue) => issue.path === 'settings.size')) {
      throw invalidInput(
        error.issues.map((issue) => (issue.path === 'settings.size' ? { path: 'size', message: issue.message } : { path: '', message: issue.message })),
        request.kind === 'upscale' ? 'Cannot upscale' : 'Cannot regenerate',
      );
    }
    throw error;
  }
}
