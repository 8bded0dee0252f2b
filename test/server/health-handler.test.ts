import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { Fleet } from '../../src/fleet/create-fleet.js';
import type { HealthReport } from '../../src/fleet/fleet.js';
import { handleHealthRequest } from '../../src/server/health-handler.js';
import { getFleet, setFleet } from '../../src/server/fleet-holder.js';
import { loadConfig } from '../../src/config/load-config.js';

const secret = 'AIzaSy-health-secret-0123456789';

const okReport: HealthReport = {
  status: 'ok',
  version: '0.1.0',
  uptimeSeconds: 12,
  dataDir: '/data',
  database: 'ok',
  store: { kind: 'sqlite', path: '/data/imagefleet.db', reachable: true },
  blobs: { kind: 'files', directory: '/data/files' },
  disk: { status: 'ok', freeBytes: 10 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 },
  engine: { running: true, inFlight: 2, lastErrors: [] },
  pausedProviders: [],
  providers: [{ id: 'local', displayName: 'Local', configured: true, pausedReason: undefined, models: ['local-transform'] }],
};

/** A fleet whose health() returns `report` (or throws it when it is an Error); only the lifecycle is real. */
function fakeFleet(report: HealthReport | Error): Fleet {
  const config = loadConfig({ GEMINI_API_KEY: secret }, { cwd: '/' });
  const errors: unknown[] = [];
  return {
    config,
    logger: { ...silentLogger, error: (fields) => errors.push(fields) },
    start: () => undefined,
    stop: () => Promise.resolve(),
    health: () => (report instanceof Error ? Promise.reject(report) : Promise.resolve(report)),
  } as Partial<Fleet> as Fleet;
}

const request = new Request('http://127.0.0.1:3000/api/health');

afterEach(() => setFleet(undefined));

describe('fleet holder', () => {
  it('keeps the fleet on globalThis under the shared symbol', () => {
    const fleet = fakeFleet(okReport);
    expect(getFleet()).toBeUndefined();
    setFleet(fleet);
    expect(getFleet()).toBe(fleet);
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('imagefleet.fleet')]).toBe(fleet);
    setFleet(undefined);
    expect(getFleet()).toBeUndefined();
  });
});

describe('handleHealthRequest', () => {
  it('answers 503 when no fleet runs in this process', async () => {
    const response = await handleHealthRequest(request);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', message: 'The imagefleet engine is not running in this process.' });
  });

  it('answers 200 with the report when the fleet is ok', async () => {
    setFleet(fakeFleet(okReport));
    const response = await handleHealthRequest(request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ ...okReport, providers: [{ id: 'local', displayName: 'Local', configured: true, models: ['local-transform'] }] });
  });

  it('answers 503 with the report when the fleet is degraded', async () => {
    setFleet(fakeFleet({ ...okReport, status: 'degraded', database: 'unavailable' }));
    const response = await handleHealthRequest(request);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'degraded', database: 'unavailable' });
  });

  it('answers 503 without details when the health check throws', async () => {
    setFleet(fakeFleet(new Error(`connect failed with key ${secret}`)));
    const response = await handleHealthRequest(request);
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).not.toContain(secret);
    expect(JSON.parse(body)).toEqual({ status: 'unavailable', message: 'The health check failed; see the server log.' });
  });

  it('copies only the known report fields, so nothing else a fleet carries leaks', async () => {
    const leaky = { ...okReport, config: { apiKey: secret }, providers: [{ ...okReport.providers[0], apiKey: secret }] } as unknown as HealthReport;
    setFleet(fakeFleet(leaky));
    const body = await (await handleHealthRequest(request)).text();
    expect(body).not.toContain(secret);
    expect(body).not.toContain('apiKey');
  });
});
