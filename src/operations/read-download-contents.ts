/**
 * What a group's download (ZIP) holds, read in one go before any byte is sent: the group, the
 * images asked for (narrowed by job, ids or favourites) with what made them, their references,
 * and — for a whole group or job — the tasks that produced nothing (yet), for the manifest.
 */
import type { Asset } from '../core/asset.js';
import { ImagefleetError } from '../core/errors.js';
import type { Group } from '../core/group.js';
import type { Task } from '../core/task.js';
import type { ExportImage } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ReadDownloadContentsInput {
  /** The group to download. */
  groupId: string;
  /** Only this job of the group. */
  jobId?: string | undefined;
  /** Only these images (each must be in the group, and in the job when one is given). */
  imageIds?: string[] | undefined;
  /** Only favourite images; default false. */
  favoritesOnly?: boolean | undefined;
}

export interface DownloadContents {
  /** The group as stored. */
  group: Group;
  /** The job's name when the download is of one job. */
  jobName: string | undefined;
  /** In job then plan order. */
  images: ExportImage[];
  /** Ids asked for that are not in the group (or the job), in the order asked, each once; the caller refuses the download then. */
  missingImageIds: string[];
  /** The reference images of `images` and of `unproduced`, by id. */
  assets: Map<string, Asset>;
  /** Failed, blocked, queued and running tasks of the group (or job); empty when ids or favourites narrow the download. */
  unproduced: Array<{ task: Task; provider: string; model: string; jobName: string }>;
}

/** `not_found` for an unknown group or a job not in it. */
export async function readDownloadContents(input: ReadDownloadContentsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<DownloadContents> {
  const { groups, jobs, images: imageRepository, assets: assetRepository } = dependencies.store;
  const group = await groups.getGroup(input.groupId);
  if (!group) throw new ImagefleetError('not_found', `No group with id ${input.groupId}.`);
  let jobName: string | undefined;
  if (input.jobId !== undefined) {
    const job = await jobs.getJob(input.jobId);
    if (!job || job.groupId !== group.id) throw new ImagefleetError('not_found', `Group "${group.name}" has no job with id ${input.jobId}.`);
    jobName = job.name;
  }
  const images = await imageRepository.listForExport({ groupId: group.id, jobId: input.jobId, imageIds: input.imageIds, favoritesOnly: input.favoritesOnly });
  const found = new Set(images.map((image) => image.id));
  const missingImageIds = [...new Set(input.imageIds ?? [])].filter((id) => !found.has(id));
  const assets = new Map<string, Asset>((await assetRepository.getAssets(images.flatMap((image) => image.referenceAssetIds))).map((asset) => [asset.id, asset]));
  // A narrowed download lists only what it holds; a whole group or job also says what is missing and why.
  const unproduced = input.imageIds === undefined && !input.favoritesOnly ? await jobs.listTasksInGroup(group.id, { jobId: input.jobId, statuses: ['failed', 'blocked', 'queued', 'running'] }) : [];
  for (const asset of await assetRepository.getAssets(unproduced.flatMap(({ task }) => task.referenceAssetIds.filter((id) => !assets.has(id))))) assets.set(asset.id, asset);
  return { group, jobName, images, missingImageIds, assets, unproduced };
}
