/**
 * Before a file is sent: its SHA-256, computed in the browser, asked of `POST /api/uploads/check`.
 * A file the server holds already (uploaded before, under any name) is not sent again — re-adding a
 * folder of 150 photos costs 150 hashes and one small request each, not 149 MB. Browsers offer
 * `crypto.subtle` only on secure origins (https, localhost); elsewhere the file is simply sent and
 * the server's own dedupe answers.
 */
import { apiRequest } from '../../_lib/api-client.js';
import type { Asset } from '../../_lib/api-types.js';

/** Files above this are sent without a check: hashing needs the whole file in memory. */
const maxHashedBytes = 64 * 1024 * 1024;

export async function knownUpload(file: File): Promise<Asset | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined || file.size > maxHashedBytes) return undefined;
  try {
    const digest = new Uint8Array(await subtle.digest('SHA-256', await file.arrayBuffer()));
    const sha256 = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    const answer = await apiRequest<{ known: Record<string, Asset> }>('/api/uploads/check', { method: 'POST', body: { sha256: [sha256] } });
    return answer.known[sha256];
  } catch {
    // A failed check only costs the upload it would have saved.
    return undefined;
  }
}
