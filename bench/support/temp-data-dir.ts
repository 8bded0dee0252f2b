import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh data directory under the OS temp dir, and the function that removes it. */
export async function makeTempDataDir(label: string): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), `imagefleet-bench-${label}-`));
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}
