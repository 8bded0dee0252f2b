/**
 * The ZIP download path of `imagefleet serve` alone, for the zip-download benchmark: a fleet on the
 * given data directory (engine not started) behind a plain Node HTTP server that hands every
 * request to `serveDownloadFromNode` — exactly what the custom server does for
 * `/api/download/…` before Next.js sees the request (docs/decisions/0011). Prints the port.
 */
import { blobFilePath } from '../../test/support/blob-file-path.js';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { pino } from 'pino';
import { createLogger } from '../../src/config/create-logger.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { serveDownloadFromNode } from '../../src/server/download-handler.js';
import { setFleet } from '../../src/server/fleet-holder.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: download-server.ts <data-dir>');
// Errors (a file that fails mid-stream) go to stderr; stdout carries the port.
const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir }), { logger: createLogger({ level: 'error', destination: pino.destination({ dest: 2, sync: true }) }) });
setFleet(fleet);
/**
 * `/raw/{groupId}`: the same files, concatenated, with an exact Content-Length and no ZIP — the
 * ceiling of streaming files over HTTP on this machine, for comparison.
 */
async function serveRaw(groupId: string, response: http.ServerResponse): Promise<void> {
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

const server = http.createServer((request, response) => {
  const raw = /^\/raw\/([^/]+)$/.exec(request.url ?? '');
  if (raw) {
    serveRaw(raw[1] ?? '', response).catch(() => response.destroy());
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
