/**
 * `GET /api/download/{groupId}`: the streamed ZIP (see zip/zip-download.ts). `POST` takes the same
 * fields as a form or JSON body, for selections whose ids would not fit in a request line (a
 * browser form posting 10,000 ids downloads with real progress, like a link).
 *
 * `imagefleet serve` answers this route from its plain Node handler (`serveDownloadFromNode`,
 * called by the custom server before Next): Next 16 drops the Content-Length header of route
 * handler responses, and the archive's exact length is what lets browsers show real progress
 * (docs/decisions/0011). The Next route (`handleDownload`) serves the same archive, chunked, for
 * anything that reaches Next directly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { apiRoute, runInApiContext, type ApiContext } from './api-route.js';
import { contentDisposition } from './content-disposition.js';
import { ImagefleetError } from '../core/errors.js';
import { readBodyText, readJsonBody, readParams, readQuery } from './request-input.js';
import { downloadBodySchema, downloadParamsSchema, downloadQuerySchema } from './schemas/download.js';
import { planDownload, startZipStream } from './zip/zip-download.js';

/** An archive ready to send: its headers (with the exact length) and its bytes. */
interface PreparedDownload {
  headers: Record<string, string>;
  /** The archive as a Readable, for a web response. */
  output: () => Readable;
  /** Writes the archive into a Node response, with reused read buffers. */
  writeTo: (target: ServerResponse) => Promise<boolean>;
  abort: () => void;
}

const routeOptions = { name: 'GET|POST /api/download/{groupId}' };

async function prepareDownload({ request, params, url, fleet, requestId }: ApiContext<{ groupId: string }>): Promise<PreparedDownload> {
  const { groupId } = readParams(params, downloadParamsSchema);
  const query = readQuery(request.method === 'POST' ? await withBodyFields(request, url) : url, downloadQuerySchema);
  const plan = await planDownload(fleet, { groupId, jobId: query.job, imageIds: query.ids, favoritesOnly: query.favorites, template: query.template });
  const zip = await startZipStream(plan, {
    onError: (error) => fleet.logger.error({ err: error, requestId, groupId }, 'ZIP download failed while streaming; the client receives a truncated archive.'),
    onFileProblem: (entry, problem) =>
      fleet.logger.warn(
        { requestId, groupId, file: entry.name, problem: problem.kind, bytesRead: problem.bytesRead, plannedBytes: entry.size },
        'A file of a ZIP download went missing or changed size while streaming; it is zero-filled and marked truncated in manifest.csv.',
      ),
  });
  // Stop reading files the moment the client goes, however it is reported.
  request.signal.addEventListener('abort', zip.abort, { once: true });
  return {
    headers: {
      'content-type': 'application/zip',
      'content-length': String(zip.size),
      'content-disposition': contentDisposition('attachment', plan.fileName),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'accept-ranges': 'none',
    },
    output: () => {
      const output = zip.output as Readable;
      output.once('close', zip.abort);
      return output;
    },
    writeTo: (target) => zip.writeTo(target),
    abort: zip.abort,
  };
}

/** The Next route handler (chunked: Next removes Content-Length). */
export const handleDownload = apiRoute<{ groupId: string }>(async (context) => {
  const download = await prepareDownload(context);
  if (context.request.method === 'HEAD') {
    download.abort();
    return new Response(null, { status: 200, headers: download.headers });
  }
  return new Response(Readable.toWeb(download.output()) as ReadableStream<Uint8Array>, { status: 200, headers: download.headers });
}, routeOptions);

/** Largest POST body: 10,000 ids with their commas and a template fit in well under 1 MiB. */
const maxDownloadBodyBytes = 1024 * 1024;

/** The URL with the body's fields (a form or a JSON object; arrays joined with commas) as query parameters; body fields win. */
async function withBodyFields(request: Request, url: URL): Promise<URL> {
  const merged = new URL(url);
  for (const [name, value] of await readDownloadBody(request)) merged.searchParams.set(name, value);
  return merged;
}

async function readDownloadBody(request: Request): Promise<Array<[string, string]>> {
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType === 'application/json') {
    const body = await readJsonBody(request, downloadBodySchema, { maxBytes: maxDownloadBodyBytes, optional: true });
    return Object.entries(body).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]);
  }
  if (contentType !== 'application/x-www-form-urlencoded' && contentType !== '') {
    throw new ImagefleetError('unsupported_media_type', `Send the fields as a form (application/x-www-form-urlencoded) or as JSON (got "${contentType.slice(0, 100)}").`);
  }
  const text = await readBodyText(request, maxDownloadBodyBytes);
  return [...new URLSearchParams(text)];
}

const downloadPath = /^\/api\/download\/([^/?#]+)\/?$/;

/**
 * The custom server's plain Node handler for `GET|HEAD /api/download/{groupId}`: the same checks,
 * errors and archive as the route, written straight to the Node response with its exact
 * Content-Length, at the socket's pace, and stopped when the client disconnects. Returns
 * undefined for any other request (Next handles those).
 */
export function serveDownloadFromNode(request: IncomingMessage, response: ServerResponse): Promise<void> | undefined {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return undefined;
  const pathname = (request.url ?? '/').split('?')[0] ?? '/';
  const match = downloadPath.exec(pathname);
  if (!match) return undefined;
  return (async () => {
    const aborter = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) aborter.abort();
    });
    const webRequest = toWebRequest(request, aborter.signal);
    let groupId: string;
    try {
      groupId = decodeURIComponent(match[1] ?? '');
    } catch {
      groupId = match[1] ?? '';
    }
    const outcome = await runInApiContext(webRequest, { groupId }, prepareDownload, routeOptions);
    if (!outcome.ok) {
      const body = Buffer.from(await outcome.response.arrayBuffer());
      response.writeHead(outcome.response.status, { ...Object.fromEntries(outcome.response.headers), 'content-length': String(body.length) });
      response.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const download = outcome.value;
    response.writeHead(200, { ...download.headers, 'x-request-id': outcome.requestId });
    if (method === 'HEAD') {
      download.abort();
      response.end();
      return;
    }
    try {
      if (await download.writeTo(response)) response.end();
      else response.destroy();
    } catch {
      // A file failed in a way the archive cannot absorb (logged): the client sees a cut response.
      download.abort();
      response.destroy();
    }
  })();
}

function toWebRequest(request: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const host = request.headers.host ?? 'localhost';
  const method = request.method ?? 'GET';
  const body = method === 'POST' ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : undefined;
  return new Request(`http://${host}${request.url ?? '/'}`, { method, headers, signal, body, duplex: 'half' } as RequestInit);
}
