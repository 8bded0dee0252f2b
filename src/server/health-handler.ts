/**
 * GET /api/health: the fleet's health report as JSON. 200 when everything is ok; 503 when the
 * fleet is degraded, absent or its check fails, so load balancers and scripts can act on the status
 * alone. Only the report's known fields are copied out, so nothing else a fleet carries (such as
 * keys) can reach a response.
 */
import type { HealthReport, ProviderHealth } from '../fleet/fleet.js';
import { randomUUID } from 'node:crypto';
import { ImagefleetError } from '../core/errors.js';
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
  if (fleet !== undefined && !isAuthenticated(request, fleet.config)) {
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
    engine: { running: report.engine.running, inFlight: report.engine.inFlight },
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
