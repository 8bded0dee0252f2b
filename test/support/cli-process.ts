import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The real `imagefleet` bin shim, run as users run it. */
export const binPath = fileURLToPath(new URL('../../bin/imagefleet.js', import.meta.url));

/** The test process's environment without imagefleet's own variables or Vitest's NODE_ENV=test. */
export function cleanEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(IMAGEFLEET_|GEMINI_|SDWEBUI_|COMFYUI_|RUNPOD_|BUCKET_)/.test(name) || name === 'NODE_ENV' || name.startsWith('VITEST')) continue;
    environment[name] = value;
  }
  return { ...environment, ...overrides };
}

/** A running `imagefleet` child process with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/imagefleet.js ...args`. */
export function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? projectRoot,
    // Next's global types make NODE_ENV mandatory in ProcessEnv; the child deliberately has none.
    env: (options.env ?? cleanEnvironment()) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs the CLI to completion (killing it after `timeoutMs`). */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const { code } = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Resolves with `promise`'s value, or rejects after `ms` with `message`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `url` until it answers (any status), or fails when the server process ends first. */
export async function waitUntilServing(url: string, server: CliProcess, timeoutMs = 60_000): Promise<void> {
  let ended = false;
  void server.exited.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ended) throw new Error(`serve exited before answering:\n${server.stderr()}\n${server.stdout()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`serve did not answer within ${timeoutMs} ms:\n${server.stderr()}\n${server.stdout()}`);
}
