/**
 * Cuts the bytes of a put into upload parts: every part exactly `partSizeBytes` long except the last,
 * as S3's multipart upload requires. At most one part is held in memory (plus the chunk that
 * overflows it), so a large stream is uploaded without being read whole.
 */

/** The parts of `source`, in order; yields nothing for empty input. */
export async function* blobParts(source: Uint8Array | AsyncIterable<Uint8Array>, partSizeBytes: number): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let offset = 0; offset < source.byteLength; offset += partSizeBytes) yield source.subarray(offset, offset + partSizeBytes);
    return;
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    if (chunk.byteLength === 0) continue;
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    while (pendingBytes >= partSizeBytes) {
      const joined = concatenate(pending, pendingBytes);
      yield joined.subarray(0, partSizeBytes);
      const rest = joined.subarray(partSizeBytes);
      pending = rest.byteLength === 0 ? [] : [rest];
      pendingBytes = rest.byteLength;
    }
  }
  if (pendingBytes > 0) yield concatenate(pending, pendingBytes);
}

function concatenate(chunks: Uint8Array[], totalBytes: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const joined = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
