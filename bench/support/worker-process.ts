import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RecoveryWorkerMessage } from './recovery-worker-protocol.js';

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** When the process was spawned, epoch ms. */
  readonly startedAtMs: number;
  /** Resolves with the job's final status when the worker reports the job ended. */
  readonly jobEnded: Promise<string>;
  /** Resolves when the process has exited (however it ended). */
  readonly exited: Promise<void>;
  /** SIGKILL, then wait for the exit: a crash the worker cannot clean up after. */
  kill(): Promise<void>;
  /** SIGTERM (graceful stop); SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

/** Starts `node --import tsx <script>` with the given environment, reading its JSON-line reports from stdout. */
export function startWorkerProcess(options: { scriptPath: string; cwd: string; env: NodeJS.ProcessEnv }): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', options.scriptPath], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const startedAtMs = Date.now();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const jobEnded = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let message: RecoveryWorkerMessage;
      try {
        message = JSON.parse(line) as RecoveryWorkerMessage;
      } catch {
        return;
      }
      if (message.type === 'job-ended') resolve(message.status);
    });
    void exited.then(() => reject(new Error(`worker ${child.pid ?? '?'} exited before reporting the end of the job`)));
  });
  // Most workers are killed before the job ends; that rejection is expected, not an error.
  jobEnded.catch(() => undefined);

  return {
    child,
    startedAtMs,
    jobEnded,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
