import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resultFileVariable, type ScenarioResult } from './scenario-results.js';

/** The libuv pool size the `imagefleet` shim will use; every scenario process gets it. */
export const scenarioThreadpoolSize = '16';

/** After SIGTERM on timeout, how long before SIGKILL. */
const terminateGraceMs = 5_000;

/**
 * Runs one scenario script in its own Node process (its own event loop and libuv pool, so no
 * measurement shares either with another), with `UV_THREADPOOL_SIZE=16`, its output shown as it
 * goes, and returns the result it wrote. Fails when the process fails or runs over `timeoutMs`.
 */
export async function runScenarioProcess(options: { scriptPath: string; cwd: string; timeoutMs: number }): Promise<ScenarioResult> {
  const resultDirectory = await mkdtemp(path.join(tmpdir(), 'imagefleet-bench-result-'));
  const resultFile = path.join(resultDirectory, 'result.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', options.scriptPath], {
      cwd: options.cwd,
      env: { ...process.env, UV_THREADPOOL_SIZE: scenarioThreadpoolSize, [resultFileVariable]: resultFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), terminateGraceMs);
    }, options.timeoutMs);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    if (timedOut) throw new Error(`${path.basename(options.scriptPath)} ran over its ${options.timeoutMs / 1000} s limit and was stopped.`);
    if (exit.code !== 0) throw new Error(`${path.basename(options.scriptPath)} failed (exit ${exit.code ?? exit.signal ?? 'unknown'}); see its output above.`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as ScenarioResult;
  } finally {
    await rm(resultDirectory, { recursive: true, force: true });
  }
}
