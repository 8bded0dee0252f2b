/**
 * The ZIP download path of `imagefleet serve` alone, for the zip-download benchmark: a fleet on the
 * given data directory (engine not started) behind a plain Node HTTP server that hands every
 * request to `serveDownloadFromNode` — exactly what the custom server does for
 * `/api/download/…` before Next.js sees the request (docs/decisions/0011). Prints the port.
 */
import { blobFilePath } from '../../test/support/blob-file-path.js';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector/promises';
import http from 'node:http';
import { pino } from 'pino';
import { createLogger } from '../../src/config/create-logger.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { serveDownloadFromNode } from '../../src/server/download-handler.js';
import { ReadBufferPool } from '../../src/server/zip/read-buffer-pool.js';
import { setFleet } from '../../src/server/fleet-holder.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: download-server.ts <data-dir>');
// Errors (a file that fails mid-stream) go to stderr; stdout carries the port.
const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir }), { logger: createLogger({ level: 'error', destination: pino.destination({ dest: 2, sync: true }) }) });
setFleet(fleet);
/** Bytes per read and per pooled buffer of the raw floor: the ZIP writer's. */
const rawChunkBytes = 512 * 1024;

/**
 * `/raw/{groupId}`: the floor of the ZIP download — the same files, concatenated, with an exact
 * Content-Length and no ZIP, read the way the ZIP writer reads them (the blob port's `openReader`
 * into four reused buffers, each written to the socket as soon as it is filled). What is left
 * between the two is the archive's own cost.
 */
async function serveRaw(groupId: string, response: http.ServerResponse): Promise<void> {
  const images = await fleet.store.images.listForExport({ groupId });
  const openReader = fleet.blobs.openReader?.bind(fleet.blobs);
  if (openReader === undefined) throw new Error('the blob store has no openReader');
  response.writeHead(200, { 'content-length': String(images.reduce((total, image) => total + image.byteSize, 0)) });
  const pool = new ReadBufferPool(4, rawChunkBytes, true);
  response.once('close', () => pool.close(new Error('client gone')));
  for (const image of images) {
    const reader = await openReader(image.fileKey);
    try {
      for (let position = 0; position < image.byteSize; ) {
        const buffer = await pool.take();
        const got = await reader.read(buffer, Math.min(rawChunkBytes, image.byteSize - position), position);
        if (got === 0) throw new Error(`${image.fileKey} is shorter than its row says`);
        position += got;
        response.write(buffer.subarray(0, got), () => pool.give(buffer));
      }
    } finally {
      await reader.close();
    }
  }
  response.end();
}

/**
 * `/raw-stream/{groupId}`: the same files streamed the plain Node way (`fs.createReadStream`, 1 MiB
 * reads, `write` + `drain`), for comparison: what a straightforward file download costs here.
 */
async function serveRawStream(groupId: string, response: http.ServerResponse): Promise<void> {
  const files = (await fleet.store.images.listForExport({ groupId })).map((image) => blobFilePath(fleet.blobs, image.fileKey));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  response.writeHead(200, { 'content-length': String(sizes.reduce((total, size) => total + size, 0)) });
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      if (!response.write(chunk)) await once(response, 'drain');
    }
  }
  response.end();
}

/**
 * `/profile/start` and `/profile/stop?file=…`: the V8 CPU profiler of this process, so the
 * benchmark profiles one download alone (not the process's start), written as a `.cpuprofile`.
 */
const profiler = new inspector.Session();
profiler.connect();
async function serveProfile(action: string, url: URL, response: http.ServerResponse): Promise<void> {
  if (action === 'start') {
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  } else {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(url.searchParams.get('file') ?? 'download.cpuprofile', JSON.stringify(profile));
  }
  response.writeHead(204).end();
}

const server = http.createServer((request, response) => {
  if (request.url === '/gc') {
    // Started with --expose-gc: the benchmark collects garbage before each download, so each one's peak is its own.
    (globalThis as { gc?: () => void }).gc?.();
    response.writeHead(204).end();
    return;
  }
  const profile = /^\/profile\/(start|stop)/.exec(request.url ?? '');
  if (profile) {
    serveProfile(profile[1] ?? '', new URL(request.url ?? '/', 'http://localhost'), response).catch(() => response.destroy());
    return;
  }
  const raw = /^\/raw(-stream)?\/([^/]+)$/.exec(request.url ?? '');
  if (raw) {
    (raw[1] === undefined ? serveRaw : serveRawStream)(raw[2] ?? '', response).catch(() => response.destroy());
    return;
  }
  const handled = serveDownloadFromNode(request, response);
  if (handled) handled.catch(() => response.destroy());
  else response.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void fleet.stop().then(() => process.exit(0));
});
