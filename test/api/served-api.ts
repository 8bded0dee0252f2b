/**
 * The real `imagefleet serve` on a free loopback port with a temporary data directory, for the
 * API-wide tests (methods, property-based requests). Needs the Next build of the global setup.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, waitUntilServing, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

export interface ServedApi {
  /** `http://127.0.0.1:<port>` */
  base: string;
  dataDir: string;
  server: CliProcess;
  stop(): Promise<void>;
}

export async function startServedApi(env: Record<string, string> = {}): Promise<ServedApi> {
  const buildError = inject('nextBuildError');
  if (buildError !== '') throw new Error(buildError);
  const temp = await makeTempDir('imagefleet-served-');
  const dataDir = path.join(temp.directory, 'data');
  const port = await freeLoopbackPort();
  const base = `http://127.0.0.1:${port}`;
  const server = startCli(['serve', '--port', String(port), '--data-dir', dataDir], {
    env: cleanEnvironment({ IMAGEFLEET_SHUTDOWN_GRACE_MS: '2000', IMAGEFLEET_LOG_LEVEL: 'warn', ...env }),
  });
  await waitUntilServing(`${base}/api/health`, server, 90_000);
  return {
    base,
    dataDir,
    server,
    stop: async () => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await temp.cleanup();
    },
  };
}
