import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment, startCli, within } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('imagefleet worker', () => {
  it('starts the engine and stops with exit 0 on SIGTERM', async () => {
    const temp = await makeTempDir();
    try {
      const worker = startCli(['worker', '--data-dir', path.join(temp.directory, 'data')], { env: cleanEnvironment() });
      await within(
        (async () => {
          while (!worker.stdout().includes('imagefleet worker started')) {
            if (worker.child.exitCode !== null) throw new Error(`worker exited early:\n${worker.stderr()}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        30_000,
        'worker did not start within 30 s',
      );
      worker.child.kill('SIGTERM');
      const { code } = await within(worker.exited, 10_000, 'worker did not exit within 10 s of SIGTERM');
      expect(code).toBe(0);
      expect(worker.stderr()).toBe('');
    } finally {
      await temp.cleanup();
    }
  });
});
