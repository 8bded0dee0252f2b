/** An image with what made it (provider, model), its share of its call's cost and its task's references: its metadata as shown to people. */
import type { ResultImage } from '../engine/ports.js';
import { getImage } from './get-image.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface DescribeImageInput {
  /** The output image to describe. */
  imageId: string;
}

/** `not_found` for an unknown image. */
export async function describeImage(input: DescribeImageInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<ResultImage> {
  return imageDetails(await getImage(input, dependencies), dependencies);
}

/** The details of an image already read. */
export async function imageDetails(image: Awaited<ReturnType<typeof getImage>>, dependencies: Pick<OperationDependencies, 'store'>): Promise<ResultImage> {
  const { jobs } = dependencies.store;
  const [task, job] = await Promise.all([jobs.getTask(image.taskId), jobs.getJob(image.jobId)]);
  // A call's cost is shared evenly by the images it made.
  const costUsd = task?.costUsd !== undefined && task.imageCount > 0 ? task.costUsd / task.imageCount : undefined;
  return { ...image, provider: job?.provider, model: job?.model, costUsd, referenceAssetIds: [...(task?.referenceAssetIds ?? [])] };
}
