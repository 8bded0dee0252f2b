/**
 * Removes the temporary copies a remote blob store's `materialize` left in this process's
 * `<dataDir>/tmp` (`imagefleet-blob-*` directories) when their user was killed before `release`.
 * Only ones older than `olderThanMs` go: another process on this data directory may be using one.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Prefix of the directories `S3BlobStore.materialize` creates (`mkdtemp`). */
const copyDirectoryPrefix = 'imagefleet-blob-';

/** Removes stale copy directories under `temporaryDirectory`; returns how many. A missing directory has none. */
export async function sweepBlobCopies(temporaryDirectory: string, options: { olderThanMs: number; nowMs: number }): Promise<number> {
  let names: string[];
  try {
    names = await readdir(temporaryDirectory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(copyDirectoryPrefix)) continue;
    const directory = path.join(temporaryDirectory, name);
    try {
      const stats = await stat(directory);
      if (!stats.isDirectory() || stats.mtimeMs > options.nowMs - options.olderThanMs) continue;
      await rm(directory, { recursive: true, force: true });
      removed += 1;
    } catch (error) {
      // Released by its owner in the meantime.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
