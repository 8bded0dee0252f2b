/**
 * A blob read as exactly `size` bytes, whatever happens to it while the archive streams: the ZIP's
 * size (and the response's Content-Length) was fixed from the stored sizes before the first byte
 * went out, so a blob deleted, truncated or grown since must neither hang nor break the archive.
 * Missing bytes are sent as zeros and reported through `onProblem`, which the caller writes into
 * the manifest (docs/decisions/0021); bytes beyond `size` are not read (the read is a range).
 */
import { Readable } from 'node:stream';
import type { BlobStore } from '../../engine/ports.js';

/** What went wrong with one blob: it could not be opened, or it ended before `size`, or it was longer. */
export type FileProblem = { kind: 'missing' | 'short' | 'long'; bytesRead: number; cause?: unknown };

type SourceStream = NodeJS.ReadableStream & { destroy?: (error?: Error) => void };

export class ExactSizeBlobStream extends Readable {
  private source: SourceStream | undefined;
  private position = 0;
  private fillingWithZeros = false;
  private sourceEnded = false;
  private reported = false;

  constructor(
    private readonly blobs: BlobStore,
    private readonly key: string,
    private readonly size: number,
    private readonly chunkBytes: number,
    private readonly onProblem: (problem: FileProblem) => void,
  ) {
    super({ highWaterMark: chunkBytes });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.blobs.get(this.key, { offsetBytes: 0, lengthBytes: this.size }).then(
      ({ stream, byteSize }) => {
        if (this.destroyed) {
          (stream as SourceStream).destroy?.();
          callback();
          return;
        }
        if (byteSize > this.size) this.report({ kind: 'long', bytesRead: 0 });
        this.attach(stream as SourceStream);
        callback();
      },
      (error: unknown) => {
        this.report({ kind: 'missing', bytesRead: 0, cause: error });
        this.fillingWithZeros = true;
        callback();
      },
    );
  }

  override _read(): void {
    if (this.fillingWithZeros || this.source === undefined) {
      this.pushZeros();
      return;
    }
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const source = this.source;
    this.source = undefined;
    source?.destroy?.();
    callback(error);
  }

  private attach(source: SourceStream): void {
    this.source = source;
    source.pause();
    source.on('data', (chunk: Buffer | string) => {
      if (this.fillingWithZeros || this.destroyed) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // The range asked for at most `size` bytes; stay exact even if a store sends more.
      const kept = bytes.subarray(0, Math.max(0, this.size - this.position));
      this.position += kept.length;
      if (kept.length > 0 && !this.push(kept)) source.pause();
      if (this.position >= this.size) this.finishSource();
    });
    source.on('end', () => {
      if (this.sourceEnded || this.destroyed) return;
      if (this.position < this.size) this.fallBackToZeros({ kind: 'short', bytesRead: this.position });
      else this.finishSource();
    });
    source.on('error', (error: unknown) => {
      if (this.sourceEnded || this.destroyed) return;
      this.fallBackToZeros({ kind: 'short', bytesRead: this.position, cause: error });
    });
  }

  /** All planned bytes came from the blob: end the entry. */
  private finishSource(): void {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.source?.destroy?.();
    this.source = undefined;
    this.push(null);
  }

  /** The blob ended early or failed: the rest of the entry is zeros. */
  private fallBackToZeros(problem: FileProblem): void {
    this.sourceEnded = true;
    this.report(problem);
    this.fillingWithZeros = true;
    this.source?.destroy?.();
    this.source = undefined;
    this.pushZeros();
  }

  private pushZeros(): void {
    const remaining = this.size - this.position;
    if (remaining <= 0) {
      this.push(null);
      return;
    }
    const wanted = Math.min(remaining, this.chunkBytes);
    this.position += wanted;
    this.push(Buffer.alloc(wanted));
  }

  private report(problem: FileProblem): void {
    if (this.reported) return;
    this.reported = true;
    this.onProblem(problem);
  }
}
