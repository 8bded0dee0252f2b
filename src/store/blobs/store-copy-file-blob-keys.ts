/**
 * The keys of every blob under a file blob store's root, for `migrate-store`: a walk of the
 * directory tree, each file's path relative to the root with "/" separators (the key, one to one;
 * file-blob-store.ts). Temp files of interrupted writes are skipped: no row refers to them.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ImagefleetError } from '../../core/errors.js';
import type { BlobKeyListing } from '../../engine/ports.js';
import { temporaryFileSuffix } from '../../platform/write-file-atomic.js';

/** `.<target name>.<16 hex>.tmp`, as writeFileAtomic names its temp files (sweep-temporary-files.ts). */
const temporaryFileName = new RegExp(`^\\..+\\.[0-9a-f]{16}${temporaryFileSuffix.replace('.', '\\.')}$`);

export class FileBlobKeyListing implements BlobKeyListing {
  readonly rootDirectory: string;

  constructor(rootDirectory: string) {
    this.rootDirectory = path.resolve(rootDirectory);
  }

  async *listKeys(): AsyncIterable<string> {
    yield* this.walk(this.rootDirectory, '');
  }

  private async *walk(directory: string, keyPrefix: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      // No files directory yet: an installation that never stored a blob.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new ImagefleetError('storage_unavailable', `Cannot list the blobs in ${directory} (${code}); check that the data directory is readable by this process.`, { cause: error });
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.isDirectory()) yield* this.walk(path.join(directory, entry.name), `${keyPrefix}${entry.name}/`);
      else if (entry.isFile() && !temporaryFileName.test(entry.name)) yield `${keyPrefix}${entry.name}`;
    }
  }
}
