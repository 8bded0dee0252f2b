/**
 * The two places a ZIP download's bytes go (stored-zip-writer.ts): straight into a Node writable
 * (the HTTP response of `imagefleet serve`), or into a Readable that someone else consumes (the
 * Next route's web stream, tests). Both keep the writer to the consumer's pace.
 */
import { Readable, type Writable } from 'node:stream';
import type { ZipSink } from './stored-zip-writer.js';

/** Chunks shorter than this that are not pooled file bytes are ZIP records (headers, descriptors), in bytes. */
const recordMaxBytes = 4096;

/** What a sink throws once the download was stopped, so the writer unwinds. */
export class ZipAbortedError extends Error {
  constructor() {
    super('download aborted');
  }
}

/**
 * A sink over a Node writable. Pooled chunks are not waited for — the pool bounds them, and not
 * waiting lets the next file be read while the socket sends the last one; other bytes wait for
 * `drain` once more than `maxQueuedBytes` are queued.
 */
export function writableSink(target: Writable, maxQueuedBytes: number, isAborted: () => boolean): ZipSink {
  // Records (a file's data descriptor, the next file's local header) are corked and leave with the
  // next file's bytes in one writev: a socket write per record cost more than the records' bytes.
  let corked = false;
  return {
    async write(chunk, release) {
      if (isAborted() || target.destroyed) {
        release?.();
        throw new ZipAbortedError();
      }
      const isRecord = release === undefined && chunk.length < recordMaxBytes;
      if (isRecord && !corked) {
        target.cork();
        corked = true;
      }
      target.write(chunk, release);
      if (corked && (!isRecord || target.writableLength > maxQueuedBytes)) {
        corked = false;
        target.uncork();
      }
      if (release !== undefined || target.writableLength <= maxQueuedBytes) return;
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          target.off('drain', done);
          target.off('close', done);
          if (target.destroyed || isAborted()) reject(new ZipAbortedError());
          else resolve();
        };
        target.on('drain', done);
        target.on('close', done);
      });
    },
  };
}

/**
 * A Readable fed by the writer, started on the first read (`start`). Chunks are handed over, so
 * its writer's pool must not reuse buffers. Destroying it calls `onDestroy` (the download stops).
 */
export function readableSink(highWaterMarkBytes: number, start: (sink: ZipSink, end: (error?: Error) => void) => void, onDestroy: () => void): Readable {
  let resume: (() => void) | undefined;
  let started = false;
  const wake = () => {
    const waiting = resume;
    resume = undefined;
    waiting?.();
  };
  const output: Readable = new Readable({
    highWaterMark: highWaterMarkBytes,
    read() {
      if (!started) {
        started = true;
        start(sink, (error) => {
          if (error) output.destroy(error);
          else if (!output.destroyed) output.push(null);
        });
      }
      wake();
    },
    destroy(error, callback) {
      onDestroy();
      wake();
      callback(error);
    },
  });
  const sink: ZipSink = {
    async write(chunk, release) {
      if (output.destroyed) {
        release?.();
        throw new ZipAbortedError();
      }
      const more = output.push(chunk);
      release?.();
      if (more) return;
      await new Promise<void>((resolve) => (resume = resolve));
      if (output.destroyed) throw new ZipAbortedError();
    },
  };
  return output;
}
