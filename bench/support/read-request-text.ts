import type { IncomingMessage } from 'node:http';

/** Request bodies of the benchmark protocol are a prompt and a count; anything larger is a bug. */
const maxBodyBytes = 64 * 1024;

/** Reads a whole request body as UTF-8, refusing bodies over 64 KiB. */
export async function readRequestText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let totalBytes = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    totalBytes += buffer.byteLength;
    if (totalBytes > maxBodyBytes) throw new Error(`request body over ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
