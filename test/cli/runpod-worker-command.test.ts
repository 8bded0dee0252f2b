import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, within } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('imagefleet runpod-worker', () => {
  it('serves /ping on 127.0.0.1:RUNPOD_WORKER_PORT and stops with exit 0 on SIGTERM', async () => {
    const temp = await makeTempDir();
    try {
      const port = await freeLoopbackPort();
      const worker = startCli(['runpod-worker', '--data-dir', path.join(temp.directory, 'data')], {
        env: cleanEnvironment({ RUNPOD_WORKER_PORT: String(port), RUNPOD_WORKER_CONCURRENCY: '3' }),
      });
      await within(
        (async () => {
          while (!worker.stdout().includes('RunPod worker service ready')) {
            if (worker.child.exitCode !== null) throw new Error(`runpod-worker exited early:\n${worker.stderr()}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        30_000,
        'runpod-worker did not start within 30 s',
      );
      const ping = (await (await fetch(`http://127.0.0.1:${port}/ping`)).json()) as { status: string; concurrency: number; providers: string[] };
      expect(ping).toEqual({ status: 'ready', concurrency: 3, providers: ['local'] });
      worker.child.kill('SIGTERM');
      const { code } = await within(worker.exited, 10_000, 'runpod-worker did not exit within 10 s of SIGTERM');
      expect(code).toBe(0);
      expect(worker.stderr()).toBe('');
    } finally {
      await temp.cleanup();
    }
  });
});
