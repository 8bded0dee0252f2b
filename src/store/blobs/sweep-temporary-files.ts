/**
 * Removes the temp files that interrupted atomic writes leave behind (a process killed with kill -9
 * between writing `.name.<random>.tmp` and renaming it). They are never referenced by the database,
 * so removing them loses nothing; left alone they would fill the disk over months of crashes.
 *
 * Only files older than `olderThanMs` go: another process sharing the data directory may be in the
 * middle of writing one right now.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { temporaryFileSuffix } from '../../platform/write-file-atomic.js';

/** `.<target name>.<16 hex>.tmp`, exactly as writeFilesAtomic names its temp files. */
const temporaryFileName = new RegExp(`^\\..+\\.[0-9a-f]{16}${temporaryFileSuffix.replace('.', '\\.')}$`);

export interface SweepResult {
  removedFiles: number;
  removedBytes: number;
}

export async function sweepTemporaryFiles(rootDirectory: string, options: { olderThanMs: number; nowMs: number }): Promise<SweepResult> {
  const result: SweepResult = { removedFiles: 0, removedBytes: 0 };
  const cutoffMs = options.nowMs - options.olderThanMs;
  const visit = async (directory: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      // A job's folder deleted while we walk, or the root not created yet: nothing to sweep there.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const entryPath = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        await visit(entryPath);
      } else if (entry.isFile() && temporaryFileName.test(entry.name)) {
        try {
          const stats = await lstat(entryPath);
          if (stats.mtimeMs > cutoffMs) continue;
          await unlink(entryPath);
          result.removedFiles += 1;
          result.removedBytes += stats.size;
        } catch (error) {
          // Renamed into place or removed by its writer in the meantime.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    }
  };
  await visit(rootDirectory);
  return result;
}
