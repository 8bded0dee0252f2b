/**
 * A short end-to-end check of one Node.js line, for CI's extra runtimes (`.ci/run` runs the whole
 * suite on Node 24 and this on 22 and 26): one CLI session with the local provider, then
 * `imagefleet serve` with one uploaded reference and one job, each checked for its results.
 * Run with the Node to check first on PATH: `node --import tsx tools/smoke.ts`. Exits non-zero,
 * with the reason, when anything fails. Needs a web app build (`npm run build`).
 *
 * As a soak: `--cli-sessions 20` runs twenty sessions in a row, `--job-images 1000` makes the
 * served job 10 references × 100 variations.
 */
import { parseArgs } from 'node:util';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const cli = path.join(projectRoot, 'bin', 'imagefleet.js');
const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'imagefleet-smoke-'));
const { values: options } = parseArgs({ options: { 'cli-sessions': { type: 'string', default: '1' }, 'job-images': { type: 'string', default: '4' } } });
const cliSessions = Number(options['cli-sessions']);
const jobImages = Number(options['job-images']);
if (!Number.isInteger(cliSessions) || cliSessions < 1) throw new Error('--cli-sessions must be a whole number of at least 1');
if (!Number.isInteger(jobImages) || jobImages < 1 || (jobImages > 100 && jobImages % 10 !== 0) || jobImages > 1000) {
  throw new Error('--job-images must be 1 to 100, or a multiple of 10 up to 1000');
}
const deadlineMs = Date.now() + 5 * 60_000 + cliSessions * 30_000 + jobImages * 500;

function step(message: string): void {
  process.stdout.write(`smoke (node ${process.version}): ${message}\n`);
}

function fail(message: string): never {
  throw new Error(message);
}

async function writeReferences(directory: string, count: number): Promise<string[]> {
  mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const file = path.join(directory, `reference-${index}.png`);
    await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 40 * index, g: 120, b: 200 } } }).png().toFile(file);
    files.push(file);
  }
  return files;
}

function countFiles(directory: string, extension: string): number {
  return readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith(extension)).length;
}

async function cliSession(sessionNumber: number): Promise<void> {
  const base = path.join(workDirectory, `cli-${sessionNumber}`);
  await writeReferences(path.join(base, 'refs'), 3);
  mkdirSync(path.join(base, 'prompts'), { recursive: true });
  writeFileSync(path.join(base, 'prompts', 'hero.md'), 'a hero shot, soft light\n');
  writeFileSync(path.join(base, 'prompts', 'detail.txt'), 'a close detail\n');
  const result = spawnSync(
    process.execPath,
    [cli, 'run', '--refs', 'refs/*.png', '--prompts', 'prompts/', '--count', '4', '--out', 'out', '--yes', '--json'],
    { cwd: base, env: { ...process.env, IMAGEFLEET_DATA_DIR: path.join(base, 'data') }, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) fail(`the CLI session exited ${result.status ?? result.signal}:\n${result.stderr.slice(-4000)}`);
  const images = countFiles(path.join(base, 'out'), '.png');
  if (images !== 24) fail(`CLI session ${sessionNumber} wrote ${images} images, expected 3 references × 2 prompts × 4 = 24`);
  step(`CLI session ${sessionNumber} of ${cliSessions} completed, ${images} images in the output tree`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function untilOk<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadlineMs) fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function serveOneJob(): Promise<void> {
  const base = path.join(workDirectory, 'serve');
  const referenceCount = jobImages > 100 ? jobImages / 100 : 1;
  const variationsPerImage = jobImages / referenceCount;
  const references = await writeReferences(path.join(base, 'refs'), referenceCount);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let output = '';
  const server: ChildProcess = spawn(process.execPath, [cli, 'serve', '--port', String(port)], {
    cwd: projectRoot,
    env: { ...process.env, IMAGEFLEET_DATA_DIR: path.join(base, 'data'), IMAGEFLEET_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  try {
    await untilOk('GET /api/health', async () => {
      if (server.exitCode !== null) fail(`imagefleet serve exited ${server.exitCode} before answering:\n${output.slice(-4000)}`);
      return (await fetch(`${origin}/api/health`)).ok ? true : undefined;
    });
    const referenceIds: string[] = [];
    for (const reference of references) {
      const form = new FormData();
      form.append('file', new Blob([await sharp(reference).toBuffer()], { type: 'image/png' }), path.basename(reference));
      const upload = await fetch(`${origin}/api/uploads`, { method: 'POST', body: form, headers: { origin } });
      if (upload.status !== 201 && upload.status !== 200) fail(`POST /api/uploads answered ${upload.status}: ${await upload.text()}`);
      referenceIds.push(((await upload.json()) as { id: string }).id);
    }
    const submit = await fetch(`${origin}/api/jobs/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ mode: 'automatic', provider: 'local', referenceIds, prompt: 'smoke test', variationsPerImage }),
    });
    if (submit.status !== 201) fail(`POST /api/jobs/submit answered ${submit.status}: ${await submit.text()}`);
    const job = (await submit.json()) as { id: string };
    const status = await untilOk(`job ${job.id} to finish`, async () => {
      const body = (await (await fetch(`${origin}/api/jobs/${job.id}/status`)).json()) as { status: string; counts: { completed: number } };
      return ['completed', 'failed', 'canceled'].includes(body.status) ? body : undefined;
    });
    if (status.status !== 'completed' || status.counts.completed !== jobImages) fail(`the job ended ${status.status} with ${status.counts.completed} of ${jobImages} images`);
    if (server.exitCode !== null) fail(`imagefleet serve exited ${server.exitCode} during the job`);
    const health = await fetch(`${origin}/api/health`);
    if (!health.ok) fail(`GET /api/health answered ${health.status} after the job`);
    step(`imagefleet serve ran a ${jobImages}-image job to completion and stayed up`);
  } finally {
    server.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) process.stderr.write(`imagefleet serve exited ${code} after SIGTERM:\n${output.slice(-4000)}\n`);
  }
}

try {
  for (let sessionNumber = 1; sessionNumber <= cliSessions; sessionNumber += 1) await cliSession(sessionNumber);
  await serveOneJob();
  step('passed');
} catch (error) {
  process.stderr.write(`smoke (node ${process.version}) FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(workDirectory, { recursive: true, force: true });
}
