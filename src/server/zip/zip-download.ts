/**
 * `GET /api/download/{groupId}`: a group's images (narrowed by job, ids or favourites) as a ZIP,
 * streamed (DESIGN §7, reliability reference §5) by stored-zip-writer.ts:
 *
 * - every entry is stored, not recompressed (images are compressed already), so the exact archive
 *   size is known in advance and the response has an exact Content-Length;
 * - ZIP64 records are written when sizes, offsets or counts need them;
 * - names come from the path template, every segment sanitised, clashes numbered ignoring case;
 *   `manifest.csv` lists every file with its prompt, seed, model, job and status;
 * - the plan takes each image's size from its row (`byteSize`, stored when it was written): no
 *   file is touched before the first byte goes out (docs/decisions/0035);
 * - blobs are read by key through the blob port, one at a time, into a few reused buffers when
 *   written to a socket (docs/decisions/0045), and reading stops when the client goes (the
 *   request's abort signal, the response closing or the stream's cancellation).
 */
import type { Readable, Writable } from 'node:stream';
import { ImagefleetError } from '../../core/errors.js';
import { defaultAutomaticDownloadTemplate, defaultDownloadTemplate, ExportNameAllocator, parseDownloadTemplate } from '../../core/export-names.js';
import type { Asset } from '../../core/asset.js';
import type { Group } from '../../core/group.js';
import { renderPathTemplate, withImageExtension } from '../../core/path-template.js';
import type { BlobStore, ExportImage } from '../../engine/ports.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { readDownloadContents } from '../../operations/read-download-contents.js';
import type { FileProblem } from './exact-size-blob-stream.js';
import { renderManifest, type ManifestRow } from './manifest-csv.js';
import { ReadBufferPool } from './read-buffer-pool.js';
import { archiveSize } from './stored-zip-records.js';
import { recordHeadroomBytes, writeStoredZip, type ZipSink } from './stored-zip-writer.js';
import { readableSink, writableSink, ZipAbortedError } from './zip-sinks.js';

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
  /** CRC-32 of the bytes stored with the image when it was written; undefined: computed while sending. */
  crc32?: number | undefined;
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

/** Bytes per read of a file (and per pooled buffer, plus one): large reads keep the throughput near the disk's. */
const readChunkBytes = 512 * 1024;
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
    const row: ManifestRow = manifestRow(image);
    if (sources.length > 0) Object.assign(row, sourceCells(sources));
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
    entries.push({ name, key: image.fileKey, size: image.byteSize, mtime: new Date(image.createdAtMs), crc32: image.crc32 });
    row.file = name;
    rows.push(row);
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
  /**
   * The archive as a Readable (for a web stream or a test); reads its files one at a time as it is
   * consumed, into fresh buffers. Use either this or `writeTo`, not both.
   */
  readonly output: NodeJS.ReadableStream;
  /**
   * Writes the archive into a Node writable (the HTTP response) through a small pool of reused
   * read buffers; resolves with true once the last byte is handed over, false when the download
   * was stopped (then destroy the writable: it holds a cut archive). Does not end the writable.
   */
  writeTo(target: Writable): Promise<boolean>;
  /** Stops reading files and ends the output (client gone). Idempotent. */
  abort: () => void;
}

/** Read buffers of a download written to a socket: enough to read the next file while the last is sent. */
const pooledReadBuffers = 4;

/**
 * Prepares the archive: its exact size is known at once, before any file is read.
 * `forceZip64` writes ZIP64 records even when not needed (tests of readers' ZIP64 support).
 */
export function startZipStream(
  plan: DownloadPlan,
  options: { forceZip64?: boolean; onError?: (error: unknown) => void; onFileProblem?: (entry: ZipEntryPlan, problem: FileProblem) => void } = {},
): Promise<ZipStream> {
  const forceZip64 = options.forceZip64 === true;
  const damagedNames = new Set<string>();
  const trailer = { name: 'manifest.csv', size: plan.manifest.length, mtime: new Date(), bytes: () => finalManifest(plan, damagedNames) };
  const size = archiveSize([...plan.entries, trailer], forceZip64);
  let aborted = false;
  let pool: ReadBufferPool | undefined;
  let output: Readable | undefined;
  let consumed: 'readable' | 'writable' | undefined;
  const abort = () => {
    if (aborted) return;
    aborted = true;
    pool?.close(new ZipAbortedError());
    output?.destroy();
  };
  const write = async (sink: ZipSink, readPool: ReadBufferPool): Promise<void> => {
    pool = readPool;
    if (aborted) readPool.close(new ZipAbortedError());
    try {
      await writeStoredZip(sink, {
        blobs: plan.blobs,
        entries: plan.entries,
        trailer,
        forceZip64,
        pool: readPool,
        isAborted: () => aborted,
        onFileProblem: (entry, problem) => {
          damagedNames.add(entry.name);
          options.onFileProblem?.(entry, problem);
        },
      });
    } catch (error) {
      if (aborted || error instanceof ZipAbortedError) return;
      options.onError?.(error);
      abort();
      throw error;
    }
  };
  const claim = (kind: 'readable' | 'writable') => {
    if (consumed !== undefined && consumed !== kind) throw new Error('A ZIP stream is read either as output or with writeTo, not both.');
    consumed = kind;
  };
  return Promise.resolve({
    size,
    get output() {
      claim('readable');
      output ??= readableSink(
        readChunkBytes,
        (sink, end) => {
          write(sink, new ReadBufferPool(1, readChunkBytes + 1, false, recordHeadroomBytes)).then(
            () => end(),
            (error: unknown) => end(error instanceof Error ? error : new Error(String(error))),
          );
        },
        abort,
      );
      if (aborted) output.destroy();
      return output;
    },
    async writeTo(target) {
      claim('writable');
      const stopOnClose = () => {
        if (!target.writableFinished) abort();
      };
      target.once('close', stopOnClose);
      try {
        await write(writableSink(target, readChunkBytes, () => aborted), new ReadBufferPool(pooledReadBuffers, readChunkBytes + 1, true, recordHeadroomBytes));
        return !aborted;
      } finally {
        target.off('close', stopOnClose);
        // The last records (central directory, end of archive) may still be corked by the sink.
        while (target.writableCorked > 0) target.uncork();
      }
    },
    abort,
  });
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
  // A string no longer in UTF-16 units than the limit has no more code points either.
  if (text.length <= characters) return text;
  const codePoints = [...text];
  return codePoints.length <= characters ? text : codePoints.slice(0, characters).join('');
}
