/**
 * The files of a drop, including whole folders (walked through the File System entries API, which
 * every current browser offers for drops), so people can drop a folder of 1,000 photos at once.
 */

interface FileSystemEntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
}
interface FileEntryLike extends FileSystemEntryLike {
  file: (success: (file: File) => void, failure: (error: unknown) => void) => void;
}
interface DirectoryEntryLike extends FileSystemEntryLike {
  createReader: () => { readEntries: (success: (entries: FileSystemEntryLike[]) => void, failure: (error: unknown) => void) => void };
}

export async function collectDroppedFiles(dataTransfer: DataTransfer): Promise<File[]> {
  const entries: FileSystemEntryLike[] = [];
  for (const item of Array.from(dataTransfer.items)) {
    const entry = (item as DataTransferItem & { webkitGetAsEntry?: () => FileSystemEntryLike | null }).webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dataTransfer.files);
  const files: File[] = [];
  for (const entry of entries) files.push(...(await filesOf(entry)));
  return files;
}

async function filesOf(entry: FileSystemEntryLike): Promise<File[]> {
  // Hidden files (.DS_Store) are never references.
  if (entry.name.startsWith('.')) return [];
  if (entry.isFile) return [await new Promise<File>((resolve, reject) => (entry as FileEntryLike).file(resolve, reject))];
  if (!entry.isDirectory) return [];
  const reader = (entry as DirectoryEntryLike).createReader();
  const files: File[] = [];
  // readEntries answers in batches (100 in Chromium) until it answers an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) files.push(...(await filesOf(child)));
  }
  return files;
}
