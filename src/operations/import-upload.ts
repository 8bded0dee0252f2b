/**
 * Stores an uploaded image (already received into a local file and its header checked by the
 * shell) as a reference image: decoded, re-encoded without metadata, deduplicated by SHA-256.
 */
import type { Asset, AssetFileFacts } from '../core/asset.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ImportUploadInput {
  /** The received file; the caller removes it afterwards. */
  filePath: string;
  /** The name the client gave the file, for display only (never used as a path). */
  fileName: string;
  /** What the shell found out already (the bytes' hash while receiving, the header it checked), so it is not done twice. */
  facts?: AssetFileFacts;
}

export interface ImportUploadResult {
  /** The stored reference image (the existing one when the same picture was stored before). */
  asset: Asset;
  /** False when the same picture was stored before. */
  created: boolean;
}

/** `invalid_input` naming the kind (not a readable image, unsupported format, corrupt, too large) when the image cannot be stored. */
export function importUpload(input: ImportUploadInput, dependencies: Pick<OperationDependencies, 'importAssetFile'>): Promise<ImportUploadResult> {
  return dependencies.importAssetFile(input.filePath, input.fileName, input.facts);
}
