/** Output images: lists, marks, exports. A port: adapters in src/store implement it. */
import type { GeneratedImage } from '../../core/image.js';

export interface ImageRepository {
  /** `taskIds`: only images of these tasks (at most 900, SQLite's parameter budget). */
  listImages(filter: { jobId?: string; taskId?: string; taskIds?: string[]; groupId?: string; favorite?: boolean; limit?: number; offset?: number }): Promise<GeneratedImage[]>;
  getImage(imageId: string): Promise<GeneratedImage | undefined>;
  setFavorite(imageId: string, favorite: boolean): Promise<GeneratedImage>;
  /** Sets or clears the discarded mark (hidden from feeds, restorable); `not_found` when there is no such image. */
  setDiscarded(imageId: string, discarded: boolean): Promise<GeneratedImage>;
  /** One page of a job's images in completion order (created, id), after `after`, with their task's reference ids. */
  listResults(query: ResultsQuery): Promise<ResultImage[]>;
  /** One page of a group's images, newest first (created, id descending), after `after`, with their job's provider, model and cost. */
  listGroupImages(query: GroupImagesQuery): Promise<ResultImage[]>;
  /** How many images match a list query (its cursor and limit ignored): the exact total a page of it belongs to. */
  countImages(query: Omit<GroupImagesQuery, 'after' | 'limit' | 'groupId'> & { groupId?: string | undefined; promptId?: string | undefined }): Promise<number>;
  /** The images of a group (narrowed by job, ids, favourites), with their job's name, provider and model, in job then plan order. */
  listForExport(filter: ExportFilter): Promise<ExportImage[]>;
}

export interface ResultsQuery {
  jobId: string;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  promptId?: string | undefined;
  favorite?: boolean | undefined;
  /** undefined = both. */
  discarded?: boolean | undefined;
  /** Keyset cursor: the last image of the previous page. */
  after?: { createdAtMs: number; id: string } | undefined;
  limit: number;
}

export interface GroupImagesQuery {
  groupId: string;
  jobId?: string | undefined;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  favorite?: boolean | undefined;
  /** undefined = both. */
  discarded?: boolean | undefined;
  /** Keyset cursor: the last image of the previous page (pages run newest first). */
  after?: { createdAtMs: number; id: string } | undefined;
  limit: number;
}

/**
 * An image as listed for people: its task's references and, where known, what made it (provider,
 * model) and its share of its call's cost.
 */
export type ResultImage = GeneratedImage & { referenceAssetIds: string[]; referenceNames?: string[]; provider?: string; model?: string; costUsd?: number };

export interface ExportFilter {
  groupId: string;
  jobId?: string | undefined;
  imageIds?: string[] | undefined;
  favoritesOnly?: boolean | undefined;
}

/** An image as exported: what made it, and its task's references (in order) so an export can name the source files. */
export type ExportImage = GeneratedImage & { provider: string; model: string; jobName: string; jobMode: string; referenceAssetIds: string[] };
