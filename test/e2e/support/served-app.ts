/**
 * The real `imagefleet serve` (bin shim → CLI → createFleet → custom server → Next.js) on a free
 * loopback port with a temporary data directory, for browser tests.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, waitUntilServing, type CliProcess } from '../../support/cli-process.js';
import { makeTempDir } from '../../support/temp-dir.js';

export interface ServedApp {
  baseUrl: string;
  dataDir: string;
  /** A scratch directory beside the data directory (fixtures, downloads). */
  workDir: string;
  server: CliProcess;
  stop(): Promise<void>;
}

/** `dataDir`: serve an existing data directory (seeded before the start) instead of a fresh one. */
export async function startServedApp(environment: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<ServedApp> {
  const buildError = inject('nextBuildError');
  if (buildError !== '') throw new Error(buildError);
  const temp = await makeTempDir('imagefleet-browser-');
  const dataDir = options.dataDir ?? path.join(temp.directory, 'data');
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startCli(['serve', '--port', String(port), '--data-dir', dataDir], {
    env: cleanEnvironment({ IMAGEFLEET_SHUTDOWN_GRACE_MS: '2000', IMAGEFLEET_LOG_LEVEL: 'warn', ...environment }),
  });
  await waitUntilServing(`${baseUrl}/api/health`, server, 90_000);
  return {
    baseUrl,
    dataDir,
    workDir: temp.directory,
    server,
    async stop() {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
        await server.exited;
        clearTimeout(timer);
      }
      await temp.cleanup();
    },
  };
}
