/**
 * End to end: the real `imagefleet serve` (bin shim → CLI → createFleet → Next.js custom server) as
 * a child process on a free loopback port with a temporary data directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, runCli, startCli, waitUntilServing, within, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const geminiKey = 'AIzaSy-e2e-secret-key-do-not-leak-42';

function failIfNotBuilt(): void {
  const buildError = inject('nextBuildError');
  if (buildError !== '') throw new Error(buildError);
}


describe('imagefleet serve', () => {
  let server: CliProcess;
  let baseUrl: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    failIfNotBuilt();
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const port = await freeLoopbackPort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = startCli(['serve', '--port', String(port), '--data-dir', path.join(temp.directory, 'data')], {
      env: cleanEnvironment({ GEMINI_API_KEY: geminiKey, IMAGEFLEET_SHUTDOWN_GRACE_MS: '2000' }),
    });
    await waitUntilServing(`${baseUrl}/api/health`, server);
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await cleanup?.();
  });

  it('serves the health report as JSON', async () => {
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.text();
    expect(body).not.toContain(geminiKey);
    const health = JSON.parse(body) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', database: 'ok', engine: { running: true } });
    expect(health.providers).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'local' })]));
  });

  it('serves the home page with the engine status', async () => {
    const response = await fetch(baseUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1');
    expect(html).toContain('imagefleet');
    expect(html).toContain('Engine running');
    expect(html).not.toContain(geminiKey);
  });

  it('logs the URL and never the key', () => {
    expect(server.stdout()).toContain(`imagefleet is serving ${baseUrl}`);
    expect(server.stdout() + server.stderr()).not.toContain(geminiKey);
  });

  it('stops gracefully on SIGTERM with exit code 0 within a few seconds', async () => {
    server.child.kill('SIGTERM');
    const { code, signal } = await within(server.exited, 10_000, 'serve did not exit within 10 s of SIGTERM');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe('');
  });
});

describe('imagefleet serve failing to start', () => {
  beforeAll(failIfNotBuilt);

  it('names the port and how to change it when the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const temp = await makeTempDir();
    try {
      const { code, stderr } = await runCli(['serve', '--port', String(port), '--data-dir', temp.directory], { timeoutMs: 60_000 });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `imagefleet: Port ${port} on 127.0.0.1 is already in use; stop the program using it or choose another port with --port or IMAGEFLEET_PORT.\n`,
      );
    } finally {
      blocker.close();
      await temp.cleanup();
    }
  });

  it('prints one sentence and exits non-zero when the data directory is a file', async () => {
    const temp = await makeTempDir();
    try {
      const notADirectory = path.join(temp.directory, 'data');
      await writeFile(notADirectory, 'this is a file, not a directory');
      const { code, stderr } = await runCli(['serve', '--port', String(await freeLoopbackPort()), '--data-dir', notADirectory]);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/^imagefleet: [^\n]+\n$/);
      expect(stderr).toContain(notADirectory);
    } finally {
      await temp.cleanup();
    }
  });

  it('prints one sentence and exits non-zero when the database is corrupt', async () => {
    const temp = await makeTempDir();
    try {
      const dataDir = path.join(temp.directory, 'data');
      await mkdir(dataDir);
      await writeFile(path.join(dataDir, 'imagefleet.db'), Buffer.alloc(8192, 0x5a));
      const { code, stderr } = await runCli(['serve', '--port', String(await freeLoopbackPort()), '--data-dir', dataDir]);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/^imagefleet: [^\n]+\n$/);
    } finally {
      await temp.cleanup();
    }
  });
});
