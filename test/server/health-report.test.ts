/**
 * The health report tells the truth (issue 21): disk space, the engine's last failures and paused
 * providers, degraded when the disk is full; and the liveness/readiness probes for orchestrators.
 * Real fleets on real directories; the full disk is a real, tiny tmpfs (needs root to mount, so
 * that case is skipped elsewhere).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, open, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { setFleet } from '../../src/server/fleet-holder.js';
import { handleHealthRequest, serveProbe } from '../../src/server/health-handler.js';
import { makeTempDir } from '../support/temp-dir.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  setFleet(undefined);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openFleetIn(dataDir: string): Promise<Fleet> {
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_SHUTDOWN_GRACE_MS: '500' }));
  cleanups.push(() => fleet.stop());
  setFleet(fleet);
  return fleet;
}

async function probeServer(): Promise<(pathName: string) => Promise<number>> {
  const server = http.createServer((request, response) => {
    if (!serveProbe(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return async (pathName) => (await fetch(`http://127.0.0.1:${port}${pathName}`)).status;
}

describe('the health report', () => {
  it('includes disk space, the engine’s last errors and paused providers', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    await openFleetIn(path.join(temp.directory, 'data'));
    const response = await handleHealthRequest(new Request('http://127.0.0.1/api/health'));
    const health = (await response.json()) as Record<string, unknown> & { disk: { status: string; freeBytes: number; totalBytes: number }; engine: { lastErrors: unknown[] } };
    expect(health.disk.freeBytes).toBeGreaterThan(0);
    expect(health.disk.totalBytes).toBeGreaterThanOrEqual(health.disk.freeBytes);
    expect(health.engine.lastErrors).toEqual([]);
    expect(health.pausedProviders).toEqual([]);
  });

  it('names the embedded store and blob backends: the SQLite file and the files directory of the data directory', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const dataDir = path.join(temp.directory, 'data');
    await openFleetIn(dataDir);
    const health = (await (await handleHealthRequest(new Request('http://127.0.0.1/api/health'))).json()) as Record<string, unknown>;
    expect(health.store).toEqual({ kind: 'sqlite', path: path.join(dataDir, 'imagefleet.db'), reachable: true });
    expect(health.blobs).toEqual({ kind: 'files', directory: path.join(dataDir, 'files') });
  });

  it('answers liveness always and readiness only while the engine runs', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const fleet = await openFleetIn(path.join(temp.directory, 'data'));
    const probe = await probeServer();
    expect(await probe('/livez')).toBe(200);
    expect(await probe('/readyz')).toBe(503);
    fleet.start();
    expect(await probe('/readyz')).toBe(200);
    setFleet(undefined);
    expect(await probe('/livez')).toBe(200);
    expect(await probe('/readyz')).toBe(503);
  });

  it.skipIf(process.getuid?.() !== 0)('is degraded (503, readiness 503) when the data directory’s disk is full', async () => {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const mountPoint = path.join(temp.directory, 'tiny-disk');
    await mkdir(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', mountPoint]);
      return Promise.resolve();
    });
    const fleet = await openFleetIn(path.join(mountPoint, 'data'));
    fleet.start();
    const probe = await probeServer();
    expect(await probe('/readyz')).toBe(200);

    // Fill the disk.
    const filler = await open(path.join(mountPoint, 'filler'), 'w');
    const block = Buffer.alloc(1024 * 1024);
    try {
      for (;;) await filler.write(block);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC');
    } finally {
      await filler.close();
    }

    const response = await handleHealthRequest(new Request('http://127.0.0.1/api/health'));
    expect(response.status).toBe(503);
    const health = (await response.json()) as { status: string; disk: { status: string } };
    expect(health).toMatchObject({ status: 'degraded', disk: { status: 'full' } });
    expect(await probe('/readyz')).toBe(503);
    await rm(path.join(mountPoint, 'filler'));
  });
});
