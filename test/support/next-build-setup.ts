/**
 * Vitest global setup: makes sure `.next` holds a production build of the current sources, so the
 * end-to-end tests can run the real `imagefleet serve`. Builds only when `.next/BUILD_ID` is
 * missing or older than any source. A failed build does not abort the run: its output is handed to
 * the tests that need it (`inject('nextBuildError')`), which fail with it, and all others run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Empty when `.next` is a fresh build; otherwise why the build failed. */
    nextBuildError: string;
  }
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const buildIdPath = path.join(projectRoot, '.next', 'BUILD_ID');
/** Files and folders whose changes make the build stale. */
const buildInputs = ['src', 'tools', 'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** Other checkouts' test runs may build at the same time; one builds, the others wait. */
const lockPath = path.join(projectRoot, 'node_modules', '.cache', 'imagefleet', 'next-build.lock');
const buildTimeoutMs = 10 * 60_000;

export default async function setup(project: TestProject): Promise<void> {
  // Targeted runs of tests that never start the server (`IMAGEFLEET_SKIP_NEXT_BUILD=1 npx vitest
  // run test/providers`) need not wait for a build; a server test run this way fails and says why.
  if (process.env.IMAGEFLEET_SKIP_NEXT_BUILD === '1') {
    project.provide('nextBuildError', 'the Next.js build was skipped (IMAGEFLEET_SKIP_NEXT_BUILD=1); run without it to test the server');
    return;
  }
  project.provide('nextBuildError', await ensureFreshBuild());
}

/** Returns '' when `.next` is fresh (building it if needed), or the reason it is not. */
async function ensureFreshBuild(): Promise<string> {
  if (isFresh()) return '';
  await acquireLock();
  try {
    if (isFresh()) return '';
    const startedAt = Date.now();
    const result = await runNextBuild();
    if (result.code !== 0) return `next build failed (exit ${result.code}):\n${result.output.slice(-8000)}`;
    process.stdout.write(`next-build-setup: built .next in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
    return '';
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

function isFresh(): boolean {
  if (!existsSync(buildIdPath)) return false;
  const builtAtMs = statSync(buildIdPath).mtimeMs;
  return buildInputs.every((input) => newestModificationMs(path.join(projectRoot, input)) <= builtAtMs);
}

function newestModificationMs(entryPath: string): number {
  if (!existsSync(entryPath)) return 0;
  const stats = statSync(entryPath);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(entryPath)) newest = Math.max(newest, newestModificationMs(path.join(entryPath, entry)));
  return newest;
}

async function acquireLock(): Promise<void> {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + buildTimeoutMs;
  for (;;) {
    try {
      mkdirSync(lockPath);
      return;
    } catch {
      // A lock older than a whole build is left over from a killed run.
      if (existsSync(lockPath) && Date.now() - statSync(lockPath).mtimeMs > buildTimeoutMs) rmSync(lockPath, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`next-build-setup: gave up waiting for ${lockPath}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function runNextBuild(): Promise<{ code: number | null; output: string }> {
  const nextBin = path.join(projectRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  // Vitest sets NODE_ENV=test; a production build must not inherit it.
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV'));
  environment.NEXT_TELEMETRY_DISABLED = '1';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin, 'build'], { cwd: projectRoot, env: environment as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
