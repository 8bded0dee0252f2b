/**
 * A file read as exactly `size` bytes, whatever happens to it while the archive streams: the ZIP's
 * size (and the response's Content-Length) was fixed from a `stat` before the first byte went out,
 * so a file deleted, truncated or grown since must neither hang nor break the archive. Missing
 * bytes are sent as zeros and reported through `onProblem`, which the caller writes into the
 * manifest (docs/decisions/0021); bytes beyond `size` are not read.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** What went wrong with one file: it could not be opened, or it ended before `size`, or it was longer. */
export type FileProblem = { kind: 'missing' | 'short' | 'long'; bytesRead: number; cause?: unknown };

export class ExactSizeFileStream extends Readable {
  private handle: FileHandle | undefined;
  private position = 0;
  private fillingWithZeros = false;
  private reported = false;

  constructor(
    private readonly filePath: string,
    private readonly size: number,
    private readonly chunkBytes: number,
    private readonly onProblem: (problem: FileProblem) => void,
  ) {
    super({ highWaterMark: chunkBytes });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.filePath, 'r').then(
      async (handle) => {
        this.handle = handle;
        const actualBytes = (await handle.stat().catch(() => undefined))?.size;
        if (actualBytes !== undefined && actualBytes > this.size) this.report({ kind: 'long', bytesRead: 0 });
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
    const remaining = this.size - this.position;
    if (remaining <= 0) {
      this.push(null);
      return;
    }
    const wanted = Math.min(remaining, this.chunkBytes);
    if (this.fillingWithZeros || this.handle === undefined) {
      this.position += wanted;
      this.push(Buffer.alloc(wanted));
      return;
    }
    const buffer = Buffer.allocUnsafe(wanted);
    this.handle.read(buffer, 0, wanted, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.report({ kind: 'short', bytesRead: this.position });
          this.fillingWithZeros = true;
          this._read();
          return;
        }
        this.position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: unknown) => {
        this.report({ kind: 'short', bytesRead: this.position, cause: error });
        this.fillingWithZeros = true;
        this._read();
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) callback(error);
    else handle.close().then(() => callback(error), () => callback(error));
  }

  private report(problem: FileProblem): void {
    if (this.reported) return;
    this.reported = true;
    this.onProblem(problem);
  }
}
