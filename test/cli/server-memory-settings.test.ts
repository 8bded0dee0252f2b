/**
 * `imagefleet serve` and `worker` on Linux replace themselves once with glibc's and V8's memory
 * settings (decision 0047, bin/server-memory-settings.js): the process the user started keeps its
 * PID — signals and kill -9 reach the server — and a user's own allocator choice is left alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandOf, wantsServerMemorySettings } from '../../bin/server-memory-settings.js';
import { cleanEnvironment, startCli, within, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { until } from '../api/api-harness.js';

describe('which invocations take the server memory settings', () => {
  it('finds the command after the global options and their values', () => {
    expect(commandOf(['--data-dir', 'serve', 'run', '--rpm', '5'])).toBe('run');
    expect(commandOf(['--log-level', 'debug', 'worker'])).toBe('worker');
    expect(commandOf(['--help'])).toBeUndefined();
  });

  it('applies to serve and worker on Linux, and never over the user’s own choice', () => {
    expect(wantsServerMemorySettings({}, ['serve'], 'linux', true)).toBe(true);
    expect(wantsServerMemorySettings({}, ['--data-dir', '/tmp/x', 'worker'], 'linux', true)).toBe(true);
    expect(wantsServerMemorySettings({}, ['status'], 'linux', true)).toBe(false);
    expect(wantsServerMemorySettings({ MALLOC_ARENA_MAX: '2' }, ['serve'], 'linux', true)).toBe(false);
    expect(wantsServerMemorySettings({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, ['serve'], 'linux', true)).toBe(false);
    expect(wantsServerMemorySettings({ IMAGEFLEET_MEMORY_SETTINGS: 'default' }, ['serve'], 'linux', true)).toBe(false);
    expect(wantsServerMemorySettings({}, ['serve'], 'darwin', true)).toBe(false);
    expect(wantsServerMemorySettings({}, ['serve'], 'linux', false)).toBe(false);
  });
});

describe.runIf(process.platform === 'linux' && typeof process.execve === 'function')('a worker process started as users start it', () => {
  let worker: CliProcess | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (worker?.child.exitCode === null) worker.child.kill('SIGKILL');
    await cleanup?.();
  });

  async function startWorker(extra: Record<string, string>): Promise<{ environment: string[]; commandLine: string[] }> {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    worker = startCli(['worker', '--data-dir', path.join(temp.directory, 'data')], { env: cleanEnvironment({ IMAGEFLEET_IDLE_POLL_MS: '50', ...extra }) });
    const started = worker;
    await until(() => started.stdout().includes('imagefleet worker started'), 'the worker to start', 30_000);
    const pid = started.child.pid!;
    return { environment: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'), commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
  }

  it('runs with the settings under the PID it was started with, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const { environment, commandLine } = await startWorker({});
    expect(environment).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    expect(environment).toContain('MALLOC_TRIM_THRESHOLD_=4194304');
    expect(commandLine).toContain('--max-semi-space-size=4');
    expect(commandLine).toContain('--heap-growing-percent=20');
    worker!.child.kill('SIGTERM');
    expect(await within(worker!.exited, 20_000, 'the worker did not stop on SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('leaves the environment as it is when the user set an allocator variable', { timeout: 60_000 }, async () => {
    const { environment, commandLine } = await startWorker({ MALLOC_ARENA_MAX: '2' });
    expect(environment).toContain('MALLOC_ARENA_MAX=2');
    expect(environment.some((entry) => entry.startsWith('MALLOC_MMAP_THRESHOLD_='))).toBe(false);
    expect(commandLine).not.toContain('--max-semi-space-size=4');
    expect(commandLine).not.toContain('--heap-growing-percent=20');
  });
});
