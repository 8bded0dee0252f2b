/**
 * A downloaded batch result file (JSONL, one `{"key", "response" | "error"}` per line), read as a
 * stream: one pass records where each key's line lies, then each task reads only its own line.
 * A batch of a thousand 4K images is gigabytes; it never sits in memory at once.
 */
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';

interface LineSpan {
  offset: number;
  length: number;
}

/** How far into a line the key is looked for before falling back to parsing the whole line. */
const keyScanChars = 512;
const leadingKeyPattern = /^\s*\{\s*"key"\s*:\s*"((?:[^"\\]|\\.)*)"/;

export class BatchResultFile {
  private constructor(
    readonly path: string,
    private readonly spans: ReadonlyMap<string, LineSpan>,
  ) {}

  /** Streams the file once, line by line, and records each key's line. */
  static async index(path: string): Promise<BatchResultFile> {
    const spans = new Map<string, LineSpan>();
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingLength = 0;
    let lineStart = 0;
    const finishLine = (): void => {
      const line = Buffer.concat(pending, pendingLength);
      pending = [];
      pendingLength = 0;
      const key = keyOfLine(line);
      if (key !== undefined) spans.set(key, { offset: lineStart, length: line.length });
    };
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      let start = 0;
      for (let newline = bytes.indexOf(10, start); newline >= 0; newline = bytes.indexOf(10, start)) {
        pending.push(bytes.subarray(start, newline));
        pendingLength += newline - start;
        finishLine();
        start = newline + 1;
        lineStart = offset + start;
      }
      if (start < bytes.length) {
        pending.push(bytes.subarray(start));
        pendingLength += bytes.length - start;
      }
      offset += bytes.length;
    }
    if (pendingLength > 0) finishLine();
    return new BatchResultFile(path, spans);
  }

  /** Keys with a line in the file. */
  get keys(): string[] {
    return [...this.spans.keys()];
  }

  /** The parsed line of `key`, or undefined when the file has none. */
  async line(key: string): Promise<unknown> {
    const span = this.spans.get(key);
    if (!span) return undefined;
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(span.length);
      await handle.read(buffer, 0, span.length, span.offset);
      return JSON.parse(buffer.toString('utf8')) as unknown;
    } finally {
      await handle.close();
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/** The line's top-level `key`: read from the line's start when it leads (no full parse of the image data), else by parsing. */
function keyOfLine(line: Buffer): string | undefined {
  const head = line.toString('utf8', 0, Math.min(line.length, keyScanChars));
  if (head.trim() === '') return undefined;
  const leading = leadingKeyPattern.exec(head);
  if (leading?.[1] !== undefined) return JSON.parse(`"${leading[1]}"`) as string;
  try {
    const parsed = JSON.parse(line.toString('utf8')) as { key?: unknown };
    return typeof parsed.key === 'string' ? parsed.key : undefined;
  } catch {
    return undefined;
  }
}
