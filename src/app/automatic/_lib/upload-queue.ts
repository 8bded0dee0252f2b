/**
 * The upload queue of Automatic mode: files (images or ZIPs) go up a few at a time, each with its
 * progress; a file added twice is skipped before it is sent, a file the server holds already (by
 * the SHA-256 of its bytes, computed here) is not sent at all, an image the server recognises after
 * re-encoding comes back with its existing id (both counted as duplicates), and failed files can be retried. The
 * referenced asset ids are the union of what came back, in the order added, each once.
 *
 * A plain store with subscribe/snapshot (for useSyncExternalStore): progress events arrive many
 * times a second, and notifications are coalesced to one per animation frame.
 */
import { errorMessage } from '../../_lib/api-client.js';
import type { Asset, ZipUploadResponse } from '../../_lib/api-types.js';
import { knownUpload } from './known-upload.js';
import { uploadFile, type UploadHandle } from './upload-file.js';

export type UploadStatus = 'queued' | 'uploading' | 'stored' | 'duplicate' | 'failed';

export interface UploadEntry {
  key: string;
  name: string;
  sizeBytes: number;
  kind: 'image' | 'zip';
  status: UploadStatus;
  loadedBytes: number;
  /** Assets this file produced (a ZIP: several). */
  assetIds: string[];
  /** Why it failed, or what a ZIP left out. */
  message?: string;
}

export interface UploadSnapshot {
  entries: readonly UploadEntry[];
  /** Files dropped twice in this session, not sent again. */
  skippedRepeats: number;
  assetIds: readonly string[];
  totalBytes: number;
  loadedBytes: number;
  counts: Record<UploadStatus, number>;
}

/** Files in flight at once: enough to keep the line busy, few enough not to starve the server of threads. */
export const uploadConcurrency = 4;

const zipPattern = /\.zip$/i;

function identityOf(file: File): string {
  const relativePath = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  return `${relativePath || file.name}:${file.size}:${file.lastModified}`;
}

export class UploadQueue {
  private entries: UploadEntry[] = [];
  private readonly files = new Map<string, File>();
  private readonly handles = new Map<string, UploadHandle<unknown>>();
  private skippedRepeats = 0;
  private snapshot: UploadSnapshot = UploadQueue.emptySnapshot();
  private readonly listeners = new Set<() => void>();
  private frame: number | undefined;

  private static emptySnapshot(): UploadSnapshot {
    return { entries: [], skippedRepeats: 0, assetIds: [], totalBytes: 0, loadedBytes: 0, counts: { queued: 0, uploading: 0, stored: 0, duplicate: 0, failed: 0 } };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UploadSnapshot => this.snapshot;

  /** Adds files (images or ZIPs); repeats of a file already added are skipped. */
  add(files: readonly File[]): void {
    for (const file of files) {
      const key = identityOf(file);
      if (this.files.has(key)) {
        this.skippedRepeats += 1;
        continue;
      }
      this.files.set(key, file);
      this.entries.push({ key, name: file.name, sizeBytes: file.size, kind: zipPattern.test(file.name) ? 'zip' : 'image', status: 'queued', loadedBytes: 0, assetIds: [] });
    }
    this.publish(true);
    this.pump();
  }

  /** Queues the failed files again. */
  retryFailed(key?: string): void {
    this.entries = this.entries.map((entry) => (entry.status === 'failed' && (key === undefined || entry.key === key) ? { ...entry, status: 'queued', loadedBytes: 0, message: undefined } : entry));
    this.publish(true);
    this.pump();
  }

  /** Forgets everything (and stops uploads in flight). */
  clear(): void {
    for (const handle of this.handles.values()) handle.abort();
    this.handles.clear();
    this.files.clear();
    this.entries = [];
    this.skippedRepeats = 0;
    this.publish(true);
  }

  private pump(): void {
    let active = this.entries.filter((entry) => entry.status === 'uploading').length;
    for (const entry of this.entries) {
      if (active >= uploadConcurrency) break;
      if (entry.status !== 'queued') continue;
      active += 1;
      this.start(entry.key);
    }
  }

  private start(key: string): void {
    const file = this.files.get(key);
    const entry = this.entries.find((candidate) => candidate.key === key);
    if (!file || !entry) return;
    this.update(key, { status: 'uploading', loadedBytes: 0 }, true);
    const isZip = entry.kind === 'zip';
    if (!isZip) {
      void knownUpload(file).then((asset) => {
        if (this.files.get(key) !== file) return;
        if (asset) {
          this.update(key, { status: 'duplicate', loadedBytes: file.size, assetIds: [asset.id], message: 'stored before, not sent again' }, true);
          this.pump();
        } else {
          this.send(key, file, false);
        }
      });
      return;
    }
    this.send(key, file, true);
  }

  private send(key: string, file: File, isZip: boolean): void {
    const handle = uploadFile<Asset | ZipUploadResponse>(isZip ? '/api/uploads/zip' : '/api/uploads', file, (loadedBytes) => this.update(key, { loadedBytes: Math.min(loadedBytes, file.size) }, false));
    this.handles.set(key, handle);
    handle.result.then(
      ({ status, body }) => {
        if (isZip) {
          const zip = body as ZipUploadResponse;
          const rejected = zip.rejected.length;
          this.update(
            key,
            {
              status: zip.assets.some((asset) => asset.created) ? 'stored' : 'duplicate',
              loadedBytes: file.size,
              assetIds: zip.assets.map((asset) => asset.id),
              message: `${zip.assets.length} images${rejected > 0 ? `, ${rejected} entries left out (${zip.rejected[0]?.reason ?? ''}${rejected > 1 ? ', …' : ''})` : ''}`,
            },
            true,
          );
        } else {
          // 200 = the same picture was stored before: the API answers with its existing id.
          this.update(key, { status: status === 200 ? 'duplicate' : 'stored', loadedBytes: file.size, assetIds: [(body as Asset).id] }, true);
        }
      },
      (error: unknown) => this.update(key, { status: 'failed', message: errorMessage(error) }, true),
    ).finally(() => {
      this.handles.delete(key);
      this.pump();
    });
  }

  private update(key: string, change: Partial<UploadEntry>, immediately: boolean): void {
    const index = this.entries.findIndex((entry) => entry.key === key);
    const current = this.entries[index];
    if (index < 0 || !current) return;
    this.entries[index] = { ...current, ...change };
    this.publish(immediately);
  }

  private publish(immediately: boolean): void {
    if (immediately) {
      if (this.frame !== undefined) cancelAnimationFrame(this.frame);
      this.frame = undefined;
      this.emit();
      return;
    }
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.emit();
    });
  }

  private emit(): void {
    const counts: Record<UploadStatus, number> = { queued: 0, uploading: 0, stored: 0, duplicate: 0, failed: 0 };
    const assetIds = new Set<string>();
    let totalBytes = 0;
    let loadedBytes = 0;
    for (const entry of this.entries) {
      counts[entry.status] += 1;
      totalBytes += entry.sizeBytes;
      loadedBytes += entry.status === 'stored' || entry.status === 'duplicate' ? entry.sizeBytes : entry.loadedBytes;
      for (const id of entry.assetIds) assetIds.add(id);
    }
    this.snapshot = { entries: [...this.entries], skippedRepeats: this.skippedRepeats, assetIds: [...assetIds], totalBytes, loadedBytes, counts };
    for (const listener of this.listeners) listener();
  }
}
