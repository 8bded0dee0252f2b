/**
 * Builds the Next.js web app only when its inputs changed since the last build. `npm start`,
 * `npm run build` and the test suite's global setup share it, so a second start with unchanged
 * sources serves at once instead of rebuilding for a minute.
 *
 * Freshness is a SHA-256 over the contents of every build input, written beside `.next/BUILD_ID`
 * after a successful build. Contents, not modification times: a checkout or copy touches every
 * file's time without changing it, and an edit can keep an old time.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Files and folders (relative to the project root) whose contents decide the build. */
export const webAppBuildInputs: readonly string[] = ['src', 'tools/turbopack-typescript-imports-loader.mjs', 'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

/** Longest a build may take before it is killed and reported, in ms. */
const buildTimeoutMs = 10 * 60_000;

export interface WebAppBuildOptions {
  /** Absolute project root (where `next.config.ts` and `node_modules` are). */
  projectRoot: string;
  /** Build even when the last build is fresh. Default false. */
  force?: boolean;
  /** Where the build's progress lines go; default: collected only, returned on failure. */
  onOutput?: (chunk: string) => void;
}

export type WebAppBuildOutcome =
  | { status: 'fresh' }
  | { status: 'built'; durationMs: number }
  | { status: 'failed'; reason: string };

/** Builds `.next` unless it is fresh; several processes may call this at once: one builds, the others wait. */
export async function buildWebAppIfStale(options: WebAppBuildOptions): Promise<WebAppBuildOutcome> {
  const { projectRoot } = options;
  if (!options.force && isWebAppBuildFresh(projectRoot)) return { status: 'fresh' };
  const lockPath = path.join(projectRoot, 'node_modules', '.cache', 'imagefleet', 'next-build.lock');
  await acquireLock(lockPath);
  try {
    const inputsHash = hashBuildInputs(projectRoot);
    if (!options.force && readStamp(projectRoot) === inputsHash && existsSync(buildIdPath(projectRoot))) return { status: 'fresh' };
    const startedAtMs = Date.now();
    const result = await runNextBuild(projectRoot, options.onOutput);
    if (result.code !== 0) return { status: 'failed', reason: `next build failed (exit ${result.code}):\n${result.output.slice(-8000)}` };
    writeFileSync(stampPath(projectRoot), `${inputsHash}\n`);
    return { status: 'built', durationMs: Date.now() - startedAtMs };
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

/** True when `.next` holds a build of exactly the current inputs. */
export function isWebAppBuildFresh(projectRoot: string): boolean {
  if (!existsSync(buildIdPath(projectRoot))) return false;
  const stamp = readStamp(projectRoot);
  return stamp !== undefined && stamp === hashBuildInputs(projectRoot);
}

/** SHA-256 over every input file's relative path and contents, in a fixed order. */
export function hashBuildInputs(projectRoot: string): string {
  const hash = createHash('sha256');
  for (const relativePath of listInputFiles(projectRoot)) {
    hash.update(relativePath).update('\0').update(readFileSync(path.join(projectRoot, relativePath))).update('\0');
  }
  return hash.digest('hex');
}

function listInputFiles(projectRoot: string): string[] {
  const files: string[] = [];
  const visit = (relativePath: string) => {
    const absolutePath = path.join(projectRoot, relativePath);
    if (!existsSync(absolutePath)) return;
    if (!statSync(absolutePath).isDirectory()) {
      files.push(relativePath);
      return;
    }
    for (const entry of readdirSync(absolutePath).sort()) visit(path.posix.join(relativePath, entry));
  };
  for (const input of webAppBuildInputs) visit(input);
  return files;
}

function buildIdPath(projectRoot: string): string {
  return path.join(projectRoot, '.next', 'BUILD_ID');
}

function stampPath(projectRoot: string): string {
  return path.join(projectRoot, '.next', 'imagefleet-build-inputs.sha256');
}

function readStamp(projectRoot: string): string | undefined {
  try {
    return readFileSync(stampPath(projectRoot), 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function acquireLock(lockPath: string): Promise<void> {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadlineMs = Date.now() + buildTimeoutMs;
  for (;;) {
    try {
      mkdirSync(lockPath);
      return;
    } catch {
      // A lock older than a whole build was left by a killed run.
      if (existsSync(lockPath) && Date.now() - statSync(lockPath).mtimeMs > buildTimeoutMs) rmSync(lockPath, { recursive: true, force: true });
      if (Date.now() > deadlineMs) throw new Error(`gave up waiting for another build to finish (${lockPath}); remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function runNextBuild(projectRoot: string, onOutput: ((chunk: string) => void) | undefined): Promise<{ code: number | null; output: string }> {
  const nextBin = path.join(projectRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  // A production build must not inherit NODE_ENV=test (Vitest) or development (a shell).
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV')) as NodeJS.ProcessEnv;
  environment.NEXT_TELEMETRY_DISABLED = '1';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin, 'build'], { cwd: projectRoot, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: string) => {
      output += chunk;
      if (output.length > 1_000_000) output = output.slice(-100_000);
      onOutput?.(chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
