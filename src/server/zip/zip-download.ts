/**
 * `GET /api/download/{groupId}`: a group's images (narrowed by job, ids or favourites) as a ZIP,
 * streamed with yazl (DESIGN §7, reliability reference §5):
 *
 * - every entry is stored, not recompressed (images are compressed already), so yazl knows the
 *   exact archive size in advance and the response has an exact Content-Length;
 * - ZIP64 is used by yazl when sizes or counts need it;
 * - names come from the path template, every segment sanitised, clashes numbered ignoring case;
 *   `manifest.csv` lists every file with its prompt, seed, model, job and status;
 * - the plan takes each image's size from its row (`byteSize`, stored when it was written): no
 *   file is touched before the first byte goes out (docs/decisions/0035);
 * - blobs are read by key through the blob port, one at a time when yazl needs them, and reading
 *   stops when the client goes (the request's abort signal or the response stream's cancellation).
 */
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { ImagefleetError } from '../../core/errors.js';
import { defaultAutomaticDownloadTemplate, defaultDownloadTemplate, ExportNameAllocator, parseDownloadTemplate } from '../../core/export-names.js';
import type { Asset } from '../../core/asset.js';
import type { Group } from '../../core/group.js';
import { renderPathTemplate, withImageExtension } from '../../core/path-template.js';
import type { BlobStore, ExportImage } from '../../engine/ports.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { readDownloadContents } from '../../operations/read-download-contents.js';
import { ExactSizeBlobStream, type FileProblem } from './exact-size-blob-stream.js';
import { renderManifest, type ManifestRow } from './manifest-csv.js';
import { useNativeCrc32ForYazl } from './native-crc32.js';

/** One file of the archive. */
export interface ZipEntryPlan {
  /** Path of the entry inside the archive. */
  name: string;
  /** Blob key of the bytes. */
  key: string;
  /** Bytes the entry holds: the stored size, exactly (ExactSizeBlobStream keeps to it). */
  size: number;
  /** Modification time written into the archive. */
  mtime: Date;
}

export interface DownloadPlan {
  group: Group;
  /** Where the entries' blobs are read from. */
  blobs: BlobStore;
  entries: ZipEntryPlan[];
  manifest: Buffer;
  /**
   * The manifest's rows, re-rendered at the end of the archive with the status `truncated` for
   * files that went missing or short while streaming. Without them the manifest stays as planned.
   */
  manifestRows?: ManifestRow[];
  /** Suggested archive name (before Content-Disposition encoding). */
  fileName: string;
}

export interface DownloadRequest {
  groupId: string;
  jobId?: string | undefined;
  imageIds?: string[] | undefined;
  favoritesOnly?: boolean | undefined;
  /** Overrides the configured template. */
  template?: string | undefined;
}

/** Read buffer per file: large reads keep the throughput near the disk's. */
const readChunkBytes = 1024 * 1024;
/** Characters of the prompt used in a path segment. */
const promptSegmentCharacters = 80;

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/avif': 'avif' };

/** Everything the archive will hold, decided before the first byte is sent. */
export async function planDownload(fleet: Fleet, request: DownloadRequest): Promise<DownloadPlan> {
  const { group, jobName, images, missingImageIds: missing, assets, unproduced } = await readDownloadContents(request, fleet);
  const template =
    request.template === undefined ? parseDownloadTemplate(fleet.config.api.downloadTemplate, 'IMAGEFLEET_DOWNLOAD_TEMPLATE') : parseDownloadTemplate(request.template, 'template');
  // Automatic results go by source photo unless someone chose a layout (a query template or a configured one).
  const automaticTemplate =
    request.template === undefined && fleet.config.api.downloadTemplate === defaultDownloadTemplate ? parseDownloadTemplate(defaultAutomaticDownloadTemplate) : template;

  // After the template, so a bad template is reported first, as it always was.
  if (missing.length > 0) {
    throw new ImagefleetError('not_found', `${missing.length} of the requested images are not in group "${group.name}"${request.jobId ? ' and that job' : ''}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`);
  }

  const variationsBySource = new Map<string, number>();
  const allocator = new ExportNameAllocator();
  allocator.reserve('manifest.csv');
  const indexWidth = Math.max(4, String(images.length).length);
  const entries: ZipEntryPlan[] = [];
  const rows: ManifestRow[] = [];
  images.forEach((image, position) => {
    const extension = extensions[image.mediaType] ?? 'bin';
    const sources = image.referenceAssetIds.flatMap((id) => assets.get(id) ?? []);
    const row = { ...manifestRow(image), ...sourceCells(sources) };
    const variables = {
      prompt: truncate(image.prompt.replace(/\s+/g, ' ').trim(), promptSegmentCharacters),
      prompt_id: image.promptId,
      seed: image.seed === undefined ? 'noseed' : String(image.seed),
      index: String(position + 1).padStart(indexWidth, '0'),
      image: image.id,
      job: image.jobId,
      job_name: image.jobName,
      group: group.name,
      model: image.model,
      provider: image.provider,
      date: new Date(image.createdAtMs).toISOString().slice(0, 10),
      width: String(image.width),
      height: String(image.height),
      ext: extension,
      source: sources[0] === undefined ? 'nosource' : withoutExtension(sources[0].originalName),
      variation: String(nextVariation(variationsBySource, sources[0]?.id ?? '')),
    };
    const name = allocator.allocate(withImageExtension(renderPathTemplate(image.jobMode === 'automatic' ? automaticTemplate : template, variables), extension));
    entries.push({ name, key: image.fileKey, size: image.byteSize, mtime: new Date(image.createdAtMs) });
    rows.push({ ...row, file: name });
  });

  for (const { task, provider, model, jobName: taskJobName } of unproduced) {
    rows.push({
      ...sourceCells(task.referenceAssetIds.flatMap((id) => assets.get(id) ?? [])),
      prompt: task.prompt,
      seed: task.seed,
      model,
      job: task.jobId,
      status: task.status === 'queued' ? 'pending' : task.status,
      prompt_id: task.promptId,
      provider,
      job_name: taskJobName,
      created_at: new Date(task.createdAtMs).toISOString(),
    });
  }

  return { group, blobs: fleet.blobs, entries, manifest: renderManifest(rows), manifestRows: rows, fileName: `${jobName === undefined ? group.name : `${group.name} - ${jobName}`}.zip` };
}

export interface ZipStream {
  /** Exact size of the archive in bytes. */
  size: number;
  /** The archive bytes; reads its files one at a time as this is consumed. */
  output: NodeJS.ReadableStream;
  /** Stops reading files and ends the output (client gone). Idempotent. */
  abort: () => void;
}

/**
 * Starts the archive. Resolves once its exact size is known (before any file is read).
 * `forceZip64` writes ZIP64 records even when not needed (tests of readers' ZIP64 support).
 */
export async function startZipStream(
  plan: DownloadPlan,
  options: { forceZip64?: boolean; onError?: (error: unknown) => void; onFileProblem?: (entry: ZipEntryPlan, problem: FileProblem) => void } = {},
): Promise<ZipStream> {
  useNativeCrc32ForYazl();
  const zip = new yazl.ZipFile();
  let aborted = false;
  let current: ExactSizeBlobStream | undefined;
  const damagedNames = new Set<string>();
  const forceZip64Format = options.forceZip64 === true;
  // yazl 3.3.1 predicts the ZIP64 end records once the central directory reaches 0xffff *bytes*
  // but writes them only past 0xffffffff, so its size is 76 bytes too large for archives of a few
  // hundred entries. Forcing the end records makes prediction and output agree (docs/decisions/0011).
  const zip64EndRecords = forceZip64Format || centralDirectoryEstimate(plan) >= 0xffff - zip64EndMarginBytes;

  for (const entry of plan.entries) {
    zip.addReadStreamLazy(entry.name, { size: entry.size, compress: false, mtime: entry.mtime, mode: 0o100644, forceZip64Format }, (callback) => {
      if (aborted) {
        callback(new Error('download aborted'), undefined as unknown as NodeJS.ReadableStream);
        return;
      }
      current = new ExactSizeBlobStream(plan.blobs, entry.key, entry.size, readChunkBytes, (problem) => {
        damagedNames.add(entry.name);
        options.onFileProblem?.(entry, problem);
      });
      callback(null, current);
    });
  }
  // Last, so it can say which files were damaged while streaming (docs/decisions/0021).
  zip.addReadStreamLazy('manifest.csv', { size: plan.manifest.length, compress: false, mtime: new Date(), mode: 0o100644, forceZip64Format }, (callback) => {
    callback(null, Readable.from([finalManifest(plan, damagedNames)]));
  });
  const output = zip.outputStream as NodeJS.ReadableStream & { destroy(error?: Error): void };
  const abort = () => {
    if (aborted) return;
    aborted = true;
    current?.destroy();
    output.destroy();
  };
  zip.on('error', (error: unknown) => {
    options.onError?.(error);
    abort();
  });
  const size = await new Promise<number>((resolve) => {
    (zip.end as (options: { forceZip64Format: boolean }, callback: (size: number) => void) => void)({ forceZip64Format: zip64EndRecords }, (finalSize) => resolve(finalSize));
  });
  if (size < 0) throw new ImagefleetError('internal', 'The ZIP size could not be computed in advance.');
  return { size, output, abort };
}

/**
 * The manifest with `truncated` for the files damaged while streaming. The archive's size was
 * fixed with the planned manifest, and `truncated` has as many bytes as `completed`, so the length
 * holds; should it not (rows without a re-renderable status), the planned manifest is kept.
 */
function finalManifest(plan: DownloadPlan, damagedNames: ReadonlySet<string>): Buffer {
  if (damagedNames.size === 0 || plan.manifestRows === undefined) return plan.manifest;
  const rows = plan.manifestRows.map((row) => (typeof row.file === 'string' && damagedNames.has(row.file) ? { ...row, status: damagedStatus } : row));
  const manifest = renderManifest(rows);
  return manifest.length === plan.manifest.length ? manifest : plan.manifest;
}

/** Manifest status of a file that went missing or short while streaming; as long as `completed`, on purpose. */
export const damagedStatus = 'truncated';

/** Central directory bytes per entry beyond its name: fixed record, extended timestamp, ZIP64 extra (counted always, to err high). */
const centralRecordBytes = 46 + 9 + 28;
/** Estimates may be off by a little; force the end records a little early rather than a little late. */
const zip64EndMarginBytes = 4096;

/** An upper bound of the central directory's size, as yazl computes it. */
function centralDirectoryEstimate(plan: DownloadPlan): number {
  let bytes = centralRecordBytes + Buffer.byteLength('manifest.csv');
  for (const entry of plan.entries) bytes += centralRecordBytes + Buffer.byteLength(entry.name);
  return bytes;
}

function manifestRow(image: ExportImage): ManifestRow {
  return {
    prompt: image.prompt,
    seed: image.seed,
    model: image.model,
    job: image.jobId,
    status: 'completed',
    image_id: image.id,
    prompt_id: image.promptId,
    width: image.width,
    height: image.height,
    favorite: image.favorite ? 'yes' : 'no',
    provider: image.provider,
    job_name: image.jobName,
    created_at: new Date(image.createdAtMs).toISOString(),
  };
}

/** The manifest's source columns: the uploaded files a row was made from, as named and hashed at upload. */
function sourceCells(sources: Asset[]): Pick<ManifestRow, 'source_file' | 'source_sha256'> {
  if (sources.length === 0) return {};
  return { source_file: sources.map((source) => source.originalName).join(' | '), source_sha256: sources.map((source) => source.sourceSha256 ?? '').join(' | ') };
}

/** 1 for a source's first image in the archive, then 2, 3, … */
function nextVariation(counts: Map<string, number>, sourceKey: string): number {
  const next = (counts.get(sourceKey) ?? 0) + 1;
  counts.set(sourceKey, next);
  return next;
}

function withoutExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

function truncate(text: string, characters: number): string {
  const codePoints = [...text];
  return codePoints.length <= characters ? text : codePoints.slice(0, characters).join('');
}
