/**
 * GET /api/health: the fleet's health report as JSON. 200 when everything is ok; 503 when the
 * fleet is degraded, absent or its check fails, so load balancers and scripts can act on the status
 * alone. Only the report's known fields are copied out, so nothing else a fleet carries (such as
 * keys) can reach a response.
 */
import type { HealthReport, ProviderHealth } from '../fleet/fleet.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ImagefleetError } from '../core/errors.js';
import { redactUrlCredentials } from '../core/url-credentials.js';
import { isAuthenticated } from './auth.js';
import { getFleet } from './fleet-holder.js';
import { errorResponse } from './http-errors.js';

/** What the health endpoint and the home page show when no report could be read. */
export interface HealthUnavailable {
  status: 'unavailable';
  /** One sentence for people. */
  message: string;
}

/** Reads the health of this process's fleet, reduced to its public fields. Never throws. */
export async function readPublicHealth(): Promise<HealthReport | HealthUnavailable> {
  const fleet = getFleet();
  if (fleet === undefined) {
    return { status: 'unavailable', message: 'The imagefleet engine is not running in this process.' };
  }
  try {
    return toPublicHealth(await fleet.health());
  } catch (error) {
    fleet.logger.error({ err: error }, 'health check failed');
    return { status: 'unavailable', message: 'The health check failed; see the server log.' };
  }
}

/**
 * The `GET /api/health` route: the token is needed when one is configured (like every route), then
 * `handleHealthRequest`.
 */
export async function handleHealthRoute(request: Request): Promise<Response> {
  const fleet = getFleet();
  if (fleet !== undefined && !(await isAuthenticated(request, fleet))) {
    return errorResponse(
      new ImagefleetError('unauthorized', 'This server needs the API token: send "Authorization: Bearer <IMAGEFLEET_API_TOKEN>".'),
      fleet.logger,
      randomUUID(),
      'GET /api/health',
    );
  }
  return handleHealthRequest(request);
}

/** Handles `GET /api/health`. */
export async function handleHealthRequest(_request: Request): Promise<Response> {
  const health = await readPublicHealth();
  return Response.json(health, {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}

function toPublicHealth(report: HealthReport): HealthReport {
  return {
    status: report.status,
    version: report.version,
    uptimeSeconds: report.uptimeSeconds,
    dataDir: report.dataDir,
    database: report.database,
    store: report.store.kind === 'sqlite' ? { kind: 'sqlite', path: report.store.path, reachable: report.store.reachable } : { kind: 'postgres', host: report.store.host, database: report.store.database, reachable: report.store.reachable },
    blobs: report.blobs.kind === 'files' ? { kind: 'files', directory: report.blobs.directory } : { kind: 's3', bucket: report.blobs.bucket, prefix: report.blobs.prefix, endpoint: report.blobs.endpoint },
    disk: { status: report.disk.status, freeBytes: report.disk.freeBytes, totalBytes: report.disk.totalBytes },
    engine: {
      running: report.engine.running,
      inFlight: report.engine.inFlight,
      lastErrors: report.engine.lastErrors.map((error) => ({ at: error.at, message: redactUrlCredentials(error.message) })),
    },
    pausedProviders: [...report.pausedProviders],
    providers: report.providers.map(toPublicProvider),
  };
}

function toPublicProvider(provider: ProviderHealth): ProviderHealth {
  return {
    id: provider.id,
    displayName: provider.displayName,
    configured: provider.configured,
    pausedReason: provider.pausedReason,
    models: [...provider.models],
  };
}

/** Paths of the orchestrator probes, answered by the custom server before Next. */
export const livenessPath = '/livez';
export const readinessPath = '/readyz';

/**
 * The orchestrator probes, without a token and without details (they are reachable by anyone who
 * can reach the port): `GET /livez` is 200 while the process answers at all (restart it when
 * not); `GET /readyz` is 200 when the database is reachable, the disk is not full and the engine
 * runs, 503 otherwise (send it no traffic). Returns false for any other request.
 */
export function serveProbe(request: IncomingMessage, response: ServerResponse): boolean {
  const pathname = (request.url ?? '/').split('?')[0];
  if (pathname !== livenessPath && pathname !== readinessPath) return false;
  const answer = (status: number, text: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
    response.end(request.method === 'HEAD' ? undefined : text);
  };
  if (pathname === livenessPath) {
    answer(200, 'live\n');
    return true;
  }
  void readPublicHealth().then((health) => {
    const ready = health.status !== 'unavailable' && health.database === 'ok' && health.disk.status !== 'full' && health.engine.running;
    answer(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
  });
  return true;
}
